package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.List;

/**
 * An activation FakeQuantize on fp32 data that could not be fused into a producer's epilogue: quantizes each
 * element with {@link QuantGrid#quantize} (the reference formula, channel = axis 1) into a level index. Immutable and
 * thread-safe.
 */
public record QuantizeStep(Node node, ValueRef input, QuantGrid grid) implements LoweredStep {
    @Override
    public List<ValueRef> inputs() {
        return List.of(input);
    }

    @Override
    public ValueRef output() {
        return node.out(0);
    }
}
