package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.List;

/**
 * An element-wise Add of two quantized tensors of the same shape whose result feeds one activation FakeQuantize
 * (the residual connections): {@code q = out.quantize(a.dequantize(qa) + b.dequantize(qb))} per element, the
 * channel being axis 1. It is the IR's arithmetic (dequantization bit-identical, f32 add, FakeQuantize formula),
 * so exact; a kernel holds each input's dequantization as a 256-entry f32 table. Immutable and thread-safe.
 */
public record QuantizedAddStep(Node node, ValueRef a, ValueRef b, Node fakeQuantize, QuantGrid grid)
        implements LoweredStep {
    @Override
    public List<ValueRef> inputs() {
        return List.of(a, b);
    }

    @Override
    public ValueRef output() {
        return fakeQuantize.out(0);
    }
}
