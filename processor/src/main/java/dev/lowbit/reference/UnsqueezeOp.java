package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Unsqueeze (opset1): inserts dimensions of 1 at the axes given by input 1, which index the output shape
 * (negative counts from the output's end). A repeated axis is an error. Stateless, thread-safe.
 */
final class UnsqueezeOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        return new Tensor[] {Tensor.of(node.output(0).type(), outputShape(node, in[0].shape(), in[1]),
                in[0].toDoubleArray())};
    }

    /** The output shape for an input of this shape and the axes tensor. */
    static int[] outputShape(Node node, int[] shape, Tensor axesTensor) {
        long[] axes = OpInputs.integers(node, axesTensor, "axes");
        int rank = shape.length + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            int axis = Axes.normalize(node, a, rank, "axis");
            if (inserted[axis]) {
                throw new IrException(node, "axes " + Arrays.toString(axes) + " name output axis " + axis + " twice");
            }
            inserted[axis] = true;
        }
        int[] out = new int[rank];
        int k = 0;
        for (int d = 0; d < rank; d++) {
            out[d] = inserted[d] ? 1 : shape[k++];
        }
        return out;
    }
}
