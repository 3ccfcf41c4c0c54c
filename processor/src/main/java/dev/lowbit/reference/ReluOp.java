package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;

/** ReLU (opset1): {@code x > 0 ? x : 0} (NaN and -0 give +0, as OpenVINO's reference). Stateless, thread-safe. */
final class ReluOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        double[] out = in[0].toDoubleArray();
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] > 0 ? out[i] : 0;
        }
        return new Tensor[] {Tensor.of(node.output(0).type(), in[0].shape(), out)};
    }
}
