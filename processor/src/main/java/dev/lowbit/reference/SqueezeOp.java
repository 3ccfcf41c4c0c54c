package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Squeeze (opset1): removes the dimensions of 1 named by input 1 (negative allowed), or every dimension of
 * 1 when there is no axes input. Naming a dimension that is not 1 is an error. Stateless, thread-safe.
 */
final class SqueezeOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.between(1, 2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        int[] out = outputShape(node, in[0].shape(), in.length == 2 ? in[1] : null);
        return new Tensor[] {Tensor.of(node.output(0).type(), out, in[0].toDoubleArray())};
    }

    /** The output shape for an input of this shape and the axes tensor (null: no axes input). */
    static int[] outputShape(Node node, int[] shape, Tensor axes) {
        boolean[] remove;
        if (axes != null) {
            remove = Axes.mask(node, OpInputs.integers(node, axes, "axes"), shape.length, "axis");
            for (int d = 0; d < shape.length; d++) {
                if (remove[d] && shape[d] != 1) {
                    throw new IrException(node, "cannot squeeze axis " + d + " of shape " + Arrays.toString(shape)
                            + ": its dimension is " + shape[d] + ", not 1");
                }
            }
        } else {
            remove = new boolean[shape.length];
            for (int d = 0; d < shape.length; d++) {
                remove[d] = shape[d] == 1;
            }
        }
        return Arrays.stream(range(shape.length)).filter(d -> !remove[d]).map(d -> shape[d]).toArray();
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> i);
        return r;
    }
}
