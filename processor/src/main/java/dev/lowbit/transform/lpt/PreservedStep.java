package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.List;

/**
 * A precision-preserving op (MaxPool, ReLU, Reshape, Squeeze, Unsqueeze, Transpose, Concat) run directly on level
 * indices: the op's semantics applied to the u8 levels give exactly the levels of the fp32 result, because the
 * dequantization is per channel and non-decreasing ({@link PrecisionPreservingLowering} checks when). ReLU on a
 * non-negative grid is the identity. {@code grid} is the output's grid. Immutable.
 */
public record PreservedStep(Node node, List<ValueRef> inputs, QuantGrid grid) implements LoweredStep {
    public PreservedStep {
        inputs = List.copyOf(inputs);
    }

    @Override
    public ValueRef output() {
        return node.out(0);
    }
}
