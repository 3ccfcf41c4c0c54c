package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Checks the inputs an evaluator receives (which element types) and reads integer-valued inputs
 * such as axes, shapes and indices. Every failure is an {@link IrException} naming the layer. Stateless,
 * thread-safe.
 */
final class OpInputs {
    private OpInputs() {}

    /** The values of an integer-typed input (axes, shape, indices ...), flattened. */
    static long[] integers(Node node, Tensor t, String what) {
        if (t.type().isFloatingPoint()) {
            throw new IrException(node, what + " must have an integer element type, got " + t.type().irName());
        }
        return t.toLongArray();
    }

    /** The single value of an integer-typed input that must hold exactly one element. */
    static long scalarInteger(Node node, Tensor t, String what) {
        long[] v = integers(node, t, what);
        if (v.length != 1) {
            throw new IrException(node, what + " must hold one value, got shape " + Arrays.toString(t.shape()));
        }
        return v[0];
    }

    /** The single value of a numeric input that must hold exactly one element (Range's start/stop/step). */
    static double scalar(Node node, Tensor t, String what) {
        if (t.size() != 1) {
            throw new IrException(node, what + " must hold one value, got shape " + Arrays.toString(t.shape()));
        }
        return t.get(0);
    }

    /** Requires the declared output type to be floating point (for ops defined only on real numbers). */
    static ElementType floatingOutput(Node node) {
        ElementType type = node.output(0).type();
        if (!type.isFloatingPoint()) {
            throw new IrException(node, "is only defined for floating-point tensors, the output is declared "
                    + type.irName());
        }
        return type;
    }
}
