package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;

/** Checks how many inputs a node was given, with an error naming the layer. Stateless, thread-safe. */
final class InputArity {
    private InputArity() {}

    static void exactly(Node node, Tensor[] inputs, int count) {
        between(node, inputs, count, count);
    }

    static void between(Node node, Tensor[] inputs, int min, int max) {
        if (inputs.length < min || inputs.length > max) {
            String expected = min == max ? String.valueOf(min) : min + " to " + max;
            throw new IrException(node, "expects " + expected + " inputs, got " + inputs.length);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                throw new IrException(node, "input " + i + " has no value");
            }
        }
    }
}
