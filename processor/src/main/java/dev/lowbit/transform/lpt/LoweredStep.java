package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.List;

/**
 * One step of a {@link LoweredModel}: a kernel call of the generated code. Steps read and write values named by
 * the original graph's {@link ValueRef}s; a value is either quantized (level indices, u8, with the
 * {@link QuantGrid} that {@link LoweredModel#grid} gives) or fp32. Immutable and thread-safe.
 */
public sealed interface LoweredStep permits QuantizeStep, QuantizedLinear, PreservedStep, QuantizedAddStep, Fp32Step {
    /** The original node this step stands for (the first of the fused ones). */
    Node node();

    /** Values read (non-constant inputs only; constants come from the model's {@link LoweredModel#constants}). */
    List<ValueRef> inputs();

    /** The value written. */
    ValueRef output();
}
