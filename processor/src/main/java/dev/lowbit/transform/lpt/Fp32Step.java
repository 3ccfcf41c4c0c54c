package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.List;

/**
 * An op that runs in fp32 with the reference semantics (PReLU, Sigmoid, SoftMax, ReduceMean, DetectionOutput,
 * element-wise Add of two tensors, and every pattern that could not be lowered). Quantized inputs are dequantized
 * with their grid first ({@link QuantGrid#dequantize}, bit-identical to the FakeQuantize output). {@code note} says
 * why a layer that would be int8 in OpenVINO stays fp32, or is null. Immutable and thread-safe.
 */
public record Fp32Step(Node node, List<ValueRef> inputs, String note) implements LoweredStep {
    public Fp32Step {
        inputs = List.copyOf(inputs);
    }

    @Override
    public ValueRef output() {
        return node.out(0);
    }
}
