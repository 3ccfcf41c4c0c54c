package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;

/**
 * Sigmoid (opset1): {@code 1 / (1 + exp(-x))}, computed in double and rounded to the (f32) output, so the
 * result is within half an f32 ulp of the exact value. Floating-point only. Stateless, thread-safe.
 */
final class SigmoidOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        double[] out = in[0].toDoubleArray();
        for (int i = 0; i < out.length; i++) {
            out[i] = 1.0 / (1.0 + Math.exp(-out[i]));
        }
        return new Tensor[] {Tensor.of(OpInputs.floatingOutput(node), in[0].shape(), out)};
    }
}
