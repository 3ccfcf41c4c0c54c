package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;

/**
 * How many inputs an op takes: each {@link OpEvaluator} declares it once, the reference evaluator checks it before
 * evaluating, and {@link DeclaredShapes} checks it at build time on the IR as read, so the two cannot disagree.
 * Immutable, thread-safe.
 */
record InputArity(int min, int max) {
    static InputArity exactly(int count) {
        return new InputArity(count, count);
    }

    static InputArity between(int min, int max) {
        return new InputArity(min, max);
    }

    static InputArity atLeast(int min) {
        return new InputArity(min, Integer.MAX_VALUE);
    }

    /** Throws an {@link IrException} naming the layer unless it has an allowed number of input ports. */
    void check(Node node, int count) {
        if (count < min || count > max) {
            String expected = min == max ? String.valueOf(min)
                    : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
            throw new IrException(node, "expects " + expected + " inputs, got " + count);
        }
    }

    /** As {@link #check(Node, int)}, and every input must have a value. */
    void check(Node node, Tensor[] inputs) {
        check(node, inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new IrException(node, "input " + i + " has no value");
            }
        }
    }
}
