package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.List;

/**
 * A precision-preserving op (MaxPool, ReLU, Reshape, Squeeze, Unsqueeze, Transpose, Concat) run directly on level
 * indices: the op's semantics applied to the u8 levels give exactly the levels of the fp32 result, because the
 * dequantization is per channel and non-decreasing ({@link PrecisionPreservingLowering} checks when). ReLU on a
 * non-negative grid is the identity. {@code grid} is the output's grid.
 *
 * <p>{@code lookups} (a Concat requantized to a common grid, only when the pipeline is asked to) maps each input's
 * levels to levels of {@code grid} before the op: {@code q' = lookups.get(i)[q]}, 256-entry u8 tables, null for
 * an input already on the grid. Empty list when there is nothing to map. Immutable by contract, and then
 * thread-safe.
 */
public record PreservedStep(Node node, List<ValueRef> inputs, QuantGrid grid, List<int[]> lookups)
        implements LoweredStep {
    public PreservedStep {
        inputs = List.copyOf(inputs);
        lookups = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(lookups));
    }

    public PreservedStep(Node node, List<ValueRef> inputs, QuantGrid grid) {
        this(node, inputs, grid, List.of());
    }

    @Override
    public ValueRef output() {
        return node.out(0);
    }
}
