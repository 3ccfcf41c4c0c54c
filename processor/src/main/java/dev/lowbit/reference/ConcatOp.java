package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Concat (opset1): joins the inputs along {@code axis} (negative counts from the end). All inputs must have
 * the same rank and the same dimensions except along the axis. Stateless, thread-safe.
 */
final class ConcatOp implements OpEvaluator {
    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        OpInputs.requireCount(node, in, 1, Integer.MAX_VALUE);
        int rank = in[0].rank();
        int axis = Axes.normalize(node, node.attributes().longValue("axis"), rank, "axis");
        int[] outShape = in[0].shape();
        outShape[axis] = 0;
        for (Tensor t : in) {
            int[] s = t.shape();
            boolean compatible = s.length == rank;
            for (int d = 0; compatible && d < rank; d++) {
                compatible = d == axis || s[d] == outShape[d];
            }
            if (!compatible) {
                throw new IrException(node, "input shape " + Arrays.toString(s) + " does not match "
                        + Arrays.toString(in[0].shape()) + " outside axis " + axis);
            }
            outShape[axis] += s[axis];
        }
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= outShape[d];
        }
        double[] out = new double[Shapes.size(outShape)];
        int pos = 0;
        for (int o = 0; o < outer; o++) {
            for (Tensor t : in) {
                int chunk = t.size() / outer; // this input's slab for one index of the leading dims
                for (int k = 0; k < chunk; k++) {
                    out[pos++] = t.get(o * chunk + k);
                }
            }
        }
        return new Tensor[] {Tensor.of(node.output(0).type(), outShape, out)};
    }
}
