package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * ConvolutionBackpropData-1 (transposed convolution): input [N, Cin, spatial...], weights
 * [Cin, Cout, kernel...], optional third input output_shape (the output's spatial sizes), attributes strides,
 * dilations, pads_begin, pads_end, auto_pad, output_padding. Input element i scatters
 * {@code in[i] * w[k]} to output position {@code i * stride + k * dilation - pads_begin}; this class computes
 * the same sum in gather form, one double-accumulated dot product per output element. Stateless, thread-safe.
 */
final class ConvolutionBackpropDataOp implements OpEvaluator {
    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        InputArity.between(node, inputs, 2, 3);
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        int rank = x.rank();
        if (rank < 3 || rank > 5) {
            throw new IrException(node, "input must have rank 3 to 5, got " + Arrays.toString(x.shape()));
        }
        if (w.rank() != rank) {
            throw new IrException(node, "weights " + Arrays.toString(w.shape()) + " must have the input's rank "
                    + rank + " ([Cin, Cout, kernel...])");
        }
        if (w.dim(0) != x.dim(1)) {
            throw new IrException(node, "weights " + Arrays.toString(w.shape()) + " expect " + w.dim(0)
                    + " input channels, the input " + Arrays.toString(x.shape()) + " has " + x.dim(1));
        }
        int spatialRank = rank - 2;
        int[] outputShape = inputs.length == 3 ? outputShape(node, inputs[2], spatialRank) : null;
        WindowAttributes attrs = WindowAttributes.convolution(node, spatialRank);
        int[] outputPadding = WindowAttributes.nonNegative(node, "output_padding", spatialRank);
        ConvGeometry g = ConvGeometry.backprop(node, attrs, outputPadding, SpatialShape.tail(x.shape(), 2),
                SpatialShape.tail(w.shape(), 2), outputShape);
        double[] out = transposedConvolution(x.toDoubleArray(), w.toDoubleArray(), x.dim(0), x.dim(1), w.dim(1), g);
        return new Tensor[] {Tensor.of(x.type(), SpatialShape.join(x.dim(0), w.dim(1), g.outputSpatial()), out)};
    }

    private static int[] outputShape(Node node, Tensor t, int spatialRank) {
        if (t.rank() != 1 || t.size() != spatialRank) {
            throw new IrException(node, "output_shape input " + Arrays.toString(t.shape()) + " must be a 1-D tensor of "
                    + spatialRank + " spatial sizes");
        }
        return t.toIntArray();
    }

    private static double[] transposedConvolution(double[] in, double[] w, int batch, int inChannels, int outChannels,
            ConvGeometry g) {
        double[] out = new double[batch * outChannels * g.outputVolume()];
        int o = 0;
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outChannels; oc++) {
                for (int od = 0; od < g.output[0]; od++) {
                    for (int oh = 0; oh < g.output[1]; oh++) {
                        for (int ow = 0; ow < g.output[2]; ow++) {
                            out[o++] = gather(in, w, n, oc, inChannels, outChannels, od, oh, ow, g);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Sum over every (input element, kernel tap) pair that lands on output position (od, oh, ow). */
    private static double gather(double[] in, double[] w, int n, int oc, int inChannels, int outChannels, int od,
            int oh, int ow, ConvGeometry g) {
        int inVolume = g.inputVolume();
        int kVolume = g.kernelVolume();
        double sum = 0;
        for (int ic = 0; ic < inChannels; ic++) {
            int inChannel = (n * inChannels + ic) * inVolume;
            int wChannel = (ic * outChannels + oc) * kVolume;
            for (int kd = 0; kd < g.kernel[0]; kd++) {
                int id = sourceIndex(od, kd, 0, g);
                if (id < 0) {
                    continue;
                }
                for (int kh = 0; kh < g.kernel[1]; kh++) {
                    int ih = sourceIndex(oh, kh, 1, g);
                    if (ih < 0) {
                        continue;
                    }
                    for (int kw = 0; kw < g.kernel[2]; kw++) {
                        int iw = sourceIndex(ow, kw, 2, g);
                        if (iw >= 0) {
                            int inIndex = inChannel + (id * g.input[1] + ih) * g.input[2] + iw;
                            int wIndex = wChannel + (kd * g.kernel[1] + kh) * g.kernel[2] + kw;
                            sum += in[inIndex] * w[wIndex];
                        }
                    }
                }
            }
        }
        return sum;
    }

    /** The input index i with i * stride + k * dilation - padBegin == o on this axis, or -1 if there is none. */
    private static int sourceIndex(int o, int k, int axis, ConvGeometry g) {
        int t = o + g.padBegin[axis] - k * g.dilation[axis];
        if (t < 0 || t % g.stride[axis] != 0) {
            return -1;
        }
        int i = t / g.stride[axis];
        return i < g.input[axis] ? i : -1;
    }
}
