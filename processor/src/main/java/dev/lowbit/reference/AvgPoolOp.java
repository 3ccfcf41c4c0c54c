package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;

/**
 * AvgPool-1 as OpenVINO's avg_pool.hpp: the sum over the window's elements inside the input, divided by the
 * number of those elements when exclude-pad is true or the node has no padding at all, and by the full kernel
 * size when exclude-pad is false and some pad is non-zero (even where a ceil-rounded window reaches past the
 * end padding). An empty window gives 0. Sums accumulate in double. Stateless, thread-safe.
 */
final class AvgPoolOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        Tensor x = inputs[0];
        boolean excludePad = excludePad(node);
        ConvGeometry g = PoolingWindow.of(node, x, false);
        boolean padsCount = !excludePad && g.hasPadding();
        int planes = x.dim(0) * x.dim(1);
        int inVolume = g.inputVolume();
        double[] in = x.toDoubleArray();
        double[] out = new double[planes * g.outputVolume()];
        int o = 0;
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * inVolume;
            for (int od = 0; od < g.output[0]; od++) {
                for (int oh = 0; oh < g.output[1]; oh++) {
                    for (int ow = 0; ow < g.output[2]; ow++) {
                        double sum = 0;
                        int inside = 0;
                        for (int kd = 0; kd < g.kernel[0]; kd++) {
                            int id = od * g.stride[0] - g.padBegin[0] + kd;
                            for (int kh = 0; kh < g.kernel[1]; kh++) {
                                int ih = oh * g.stride[1] - g.padBegin[1] + kh;
                                for (int kw = 0; kw < g.kernel[2]; kw++) {
                                    int iw = ow * g.stride[2] - g.padBegin[2] + kw;
                                    if (id >= 0 && id < g.input[0] && ih >= 0 && ih < g.input[1] && iw >= 0
                                            && iw < g.input[2]) {
                                        sum += in[base + (id * g.input[1] + ih) * g.input[2] + iw];
                                        inside++;
                                    }
                                }
                            }
                        }
                        int count = padsCount ? g.kernelVolume() : inside;
                        out[o++] = count == 0 ? 0 : sum / count;
                    }
                }
            }
        }
        return new Tensor[] {Tensor.of(x.type(), SpatialShape.join(x.dim(0), x.dim(1), g.outputSpatial()), out)};
    }

    /** The required exclude-pad attribute. */
    static boolean excludePad(Node node) {
        if (!node.attributes().has("exclude-pad")) {
            throw new IrException(node, "missing attribute 'exclude-pad'");
        }
        return node.attributes().bool("exclude-pad", false);
    }
}
