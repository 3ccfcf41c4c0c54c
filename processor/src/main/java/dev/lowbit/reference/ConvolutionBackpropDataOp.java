package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * ConvolutionBackpropData-1 (transposed convolution): input [N, Cin, spatial...], weights
 * [Cin, Cout, kernel...], optional third input output_shape (the output's spatial sizes), attributes strides,
 * dilations, pads_begin, pads_end, auto_pad, output_padding. Input element i scatters
 * {@code in[i] * w[k]} to output position {@code i * stride + k * dilation - pads_begin}, summed in double.
 * Stateless, thread-safe.
 */
final class ConvolutionBackpropDataOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.between(2, 3);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        ConvGeometry g = geometry(node, x.shape(), w.shape(), inputs.length == 3 ? inputs[2] : null);
        double[] out = transposedConvolution(x.toDoubleArray(), w.toDoubleArray(), x.dim(0), x.dim(1), w.dim(1), g);
        return new Tensor[] {Tensor.of(x.type(), SpatialShape.join(x.dim(0), w.dim(1), g.outputSpatial()), out)};
    }

    /**
     * The output shape for input and weight shapes {@code x}, {@code w} and the optional output_shape input's value
     * (null when absent); an IrException if they do not fit.
     */
    static int[] outputShape(Node node, int[] x, int[] w, Tensor outputShape) {
        int[] spatial = geometry(node, x, w, outputShape).outputSpatial(); // validates the ranks first
        return SpatialShape.join(x[0], w[1], spatial);
    }

    private static ConvGeometry geometry(Node node, int[] x, int[] w, Tensor outputShapeInput) {
        int rank = x.length;
        if (rank < 3 || rank > 5) {
            throw new IrException(node, "input must have rank 3 to 5, got " + Arrays.toString(x));
        }
        if (w.length != rank) {
            throw new IrException(node, "weights " + Arrays.toString(w) + " must have the input's rank "
                    + rank + " ([Cin, Cout, kernel...])");
        }
        if (w[0] != x[1]) {
            throw new IrException(node, "weights " + Arrays.toString(w) + " expect " + w[0]
                    + " input channels, the input " + Arrays.toString(x) + " has " + x[1]);
        }
        int spatialRank = rank - 2;
        int[] outputShape = outputShapeInput != null ? outputShape(node, outputShapeInput, spatialRank) : null;
        WindowAttributes attrs = WindowAttributes.convolution(node, spatialRank);
        int[] outputPadding = WindowAttributes.nonNegative(node, "output_padding", spatialRank);
        return ConvGeometry.backprop(node, attrs, outputPadding, SpatialShape.tail(x, 2), SpatialShape.tail(w, 2),
                outputShape);
    }

    private static int[] outputShape(Node node, Tensor t, int spatialRank) {
        if (t.rank() != 1 || t.size() != spatialRank) {
            throw new IrException(node, "output_shape input " + Arrays.toString(t.shape()) + " must be a 1-D tensor of "
                    + spatialRank + " spatial sizes");
        }
        return t.toIntArray();
    }

    /** For every weight tap, each input element is added, times the tap, to the output position it lands on. */
    private static double[] transposedConvolution(double[] in, double[] w, int batch, int inChannels, int outChannels,
            ConvGeometry g) {
        int inVolume = g.inputVolume();
        int outVolume = g.outputVolume();
        int kVolume = g.kernelVolume();
        double[] out = new double[batch * outChannels * outVolume];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outChannels; oc++) {
                int outBase = (n * outChannels + oc) * outVolume;
                for (int ic = 0; ic < inChannels; ic++) {
                    int inBase = (n * inChannels + ic) * inVolume;
                    int wBase = (ic * outChannels + oc) * kVolume;
                    for (int kd = 0; kd < g.kernel[0]; kd++) {
                        for (int kh = 0; kh < g.kernel[1]; kh++) {
                            for (int kw = 0; kw < g.kernel[2]; kw++) {
                                double tap = w[wBase + (kd * g.kernel[1] + kh) * g.kernel[2] + kw];
                                scatterTap(in, inBase, out, outBase, tap, kd, kh, kw, g);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** out[i * stride - pad + tap * dilation] += tap * in[i] for every input i landing inside the output. */
    private static void scatterTap(double[] in, int inBase, double[] out, int outBase, double tap, int kd, int kh,
            int kw, ConvGeometry g) {
        int d1 = g.endValid(0, kd, g.output[0], g.input[0]);
        int h1 = g.endValid(1, kh, g.output[1], g.input[1]);
        int w0 = g.firstValid(2, kw);
        int w1 = g.endValid(2, kw, g.output[2], g.input[2]);
        int sw = g.stride[2];
        int owOffset = kw * g.dilation[2] - g.padBegin[2];
        for (int id = g.firstValid(0, kd); id < d1; id++) {
            int od = id * g.stride[0] - g.padBegin[0] + kd * g.dilation[0];
            for (int ih = g.firstValid(1, kh); ih < h1; ih++) {
                int oh = ih * g.stride[1] - g.padBegin[1] + kh * g.dilation[1];
                int inRow = inBase + (id * g.input[1] + ih) * g.input[2];
                int outRow = outBase + (od * g.output[1] + oh) * g.output[2] + owOffset;
                for (int iw = w0; iw < w1; iw++) {
                    out[outRow + iw * sw] += tap * in[inRow + iw];
                }
            }
        }
    }
}
