package dev.lowbit.plan;

import dev.lowbit.graph.Node;

/** One kernel call of the generated model: the IR layer it computes. Immutable, thread-safe. */
public record Step(Node node) {
    @Override
    public String toString() {
        return node.describe();
    }
}
