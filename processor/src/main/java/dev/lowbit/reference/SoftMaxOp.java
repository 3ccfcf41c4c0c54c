package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;

/**
 * SoftMax along {@code axis} (default 1): {@code exp(x - max) / sum(exp(x - max))}. SoftMax-1 takes
 * {@code 0 <= axis < rank}; SoftMax-8 also takes negative axes. Computed in double (max, exponentials and
 * their sum) and rounded once to the f32 output. Stateless, thread-safe.
 */
final class SoftMaxOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor x = in[0];
        int axis = axis(node, x.rank());
        int[] shape = x.shape();
        int n = shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int outer = n == 0 || inner == 0 ? 0 : x.size() / (n * inner);
        double[] out = new double[x.size()];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * n * inner + j;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    max = Math.max(max, x.get(base + k * inner));
                }
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    double e = Math.exp(x.get(base + k * inner) - max);
                    out[base + k * inner] = e;
                    sum += e;
                }
                for (int k = 0; k < n; k++) {
                    out[base + k * inner] /= sum;
                }
            }
        }
        return new Tensor[] {Tensor.of(OpInputs.floatingOutput(node), shape, out)};
    }

    /** The axis for an input of this rank: non-negative for SoftMax-1, negative ones counted from the end from opset 8. */
    static int axis(Node node, int rank) {
        long axis = node.attributes().has("axis") ? node.attributes().longValue("axis") : 1;
        return node.opset() >= 8 ? Axes.normalize(node, axis, rank, "axis") : Axes.nonNegative(node, axis, rank, "axis");
    }
}
