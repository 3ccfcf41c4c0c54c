package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.Locale;

/**
 * MaxPool-1 (values only) and MaxPool-8 (adds dilations, a second output with the index of each maximum, its
 * element type index_element_type, and axis), as OpenVINO's max_pool.hpp: padding never wins, the first
 * maximum in window order wins ties, an all-padding window gives the lowest float and index 0. Indices are
 * flat positions in the whole input tensor, taken modulo the size of the dims from {@code axis} on when axis
 * is not 0. Stateless, thread-safe.
 */
final class MaxPoolOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        Tensor x = inputs[0];
        boolean v8 = node.opset() >= 8;
        ConvGeometry g = PoolingWindow.of(node, x, v8);
        int batch = x.dim(0);
        int channels = x.dim(1);
        int inVolume = g.inputVolume();
        int outVolume = g.outputVolume();
        double[] in = x.toDoubleArray();
        double[] values = new double[batch * channels * outVolume];
        double[] indices = new double[values.length];
        int o = 0;
        for (int plane = 0; plane < batch * channels; plane++) {
            int base = plane * inVolume;
            for (int od = 0; od < g.output[0]; od++) {
                for (int oh = 0; oh < g.output[1]; oh++) {
                    for (int ow = 0; ow < g.output[2]; ow++) {
                        double max = -Float.MAX_VALUE;
                        int argmax = 0;
                        for (int kd = 0; kd < g.kernel[0]; kd++) {
                            int id = od * g.stride[0] - g.padBegin[0] + kd * g.dilation[0];
                            for (int kh = 0; kh < g.kernel[1]; kh++) {
                                int ih = oh * g.stride[1] - g.padBegin[1] + kh * g.dilation[1];
                                for (int kw = 0; kw < g.kernel[2]; kw++) {
                                    int iw = ow * g.stride[2] - g.padBegin[2] + kw * g.dilation[2];
                                    if (inside(id, 0, g) && inside(ih, 1, g) && inside(iw, 2, g)) {
                                        int flat = (id * g.input[1] + ih) * g.input[2] + iw;
                                        if (in[base + flat] > max) {
                                            max = in[base + flat];
                                            argmax = flat;
                                        }
                                    }
                                }
                            }
                        }
                        values[o] = max;
                        indices[o] = base + argmax;
                        o++;
                    }
                }
            }
        }
        int[] shape = SpatialShape.join(batch, channels, g.outputSpatial());
        Tensor valueTensor = Tensor.of(x.type(), shape, values);
        if (!v8) {
            return new Tensor[] {valueTensor};
        }
        wrapIndices(node, indices, x.shape());
        return new Tensor[] {valueTensor, Tensor.of(indexType(node), shape, indices)};
    }

    private static boolean inside(int i, int axis, ConvGeometry g) {
        return i >= 0 && i < g.input[axis];
    }

    /**
     * Checks at build time what {@link #evaluate} relies on for the indices: MaxPool-1 declares one output; MaxPool-8
     * at most two, a valid axis and index_element_type, and an indices output of the values' shape (its declared
     * element type is not checked: the OMZ head-pose IR declares FP32 there with index_element_type i64). The
     * generated code computes only the values, so a file whose indices the oracle would refuse must not build.
     */
    static void checkDeclaredIndices(Node node) {
        int outputs = node.outputs().size();
        int computed = node.opset() >= 8 ? 2 : 1;
        if (outputs > computed) {
            throw new IrException(node, "declares " + outputs + " outputs, MaxPool-" + node.opset() + " has "
                    + computed);
        }
        if (computed == 1) {
            return;
        }
        axis(node, node.inputPorts().get(0).shape().length);
        indexType(node);
        if (outputs == 2) {
            int[] values = node.output(0).shape();
            int[] indices = node.output(1).shape();
            if (!Arrays.equals(values, indices)) {
                throw new IrException(node, "declares indices output shape " + Arrays.toString(indices)
                        + ", but its values have shape " + Arrays.toString(values));
            }
        }
    }

    /** The normalized axis attribute (0 when absent). */
    private static int axis(Node node, int rank) {
        long axis = node.attributes().has("axis") ? node.attributes().longValue("axis") : 0;
        if (axis < -rank || axis >= rank) {
            throw new IrException(node, "attribute 'axis'=" + axis + " is outside the input rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** With axis != 0 the indices count from the start of the sub-tensor at that axis. */
    private static void wrapIndices(Node node, double[] indices, int[] inputShape) {
        int rank = inputShape.length;
        int a = axis(node, rank);
        if (a == 0) {
            return;
        }
        long span = 1;
        for (int i = a; i < rank; i++) {
            span *= inputShape[i];
        }
        for (int i = 0; i < indices.length; i++) {
            indices[i] = (long) indices[i] % span;
        }
    }

    private static ElementType indexType(Node node) {
        String name = node.attributes().string("index_element_type", "i64").toLowerCase(Locale.ROOT);
        return switch (name) {
            case "i64" -> ElementType.I64;
            case "i32" -> ElementType.I32;
            default -> throw new IrException(node, "attribute 'index_element_type'='" + name + "' must be i32 or i64");
        };
    }
}
