package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;

/**
 * Normalizes axis numbers the way OpenVINO ops take them: {@code -rank <= axis < rank}, negative counting
 * from the end. An axis outside that range is an {@link IrException} naming the layer. Stateless,
 * thread-safe.
 */
final class Axes {
    private Axes() {}

    static int normalize(Node node, long axis, int rank, String what) {
        if (axis < -rank || axis >= rank) {
            throw new IrException(node, what + " " + axis + " is out of range for rank " + rank
                    + " (allowed " + -rank + " to " + (rank - 1) + ")");
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Requires {@code 0 <= axis < rank} (ops whose spec has no negative axes, such as SoftMax-1). */
    static int nonNegative(Node node, long axis, int rank, String what) {
        if (axis < 0 || axis >= rank) {
            throw new IrException(node, what + " " + axis + " is out of range for rank " + rank
                    + " (allowed 0 to " + (rank - 1) + ")");
        }
        return (int) axis;
    }

    /** Marks the given axes (negative allowed; repeats are allowed and mark the same axis). */
    static boolean[] mask(Node node, long[] axes, int rank, String what) {
        boolean[] marked = new boolean[rank];
        for (long a : axes) {
            marked[normalize(node, a, rank, what)] = true;
        }
        return marked;
    }
}
