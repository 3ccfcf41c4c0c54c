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
    public InputArity arity() {
        return InputArity.atLeast(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        int[] outShape = outputShape(node, Arrays.stream(in).map(Tensor::shape).toArray(int[][]::new));
        int axis = Axes.normalize(node, node.attributes().longValue("axis"), outShape.length, "axis");
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

    /** The joined shape of inputs of shapes {@code in}; an IrException if they differ outside the axis. */
    static int[] outputShape(Node node, int[]... in) {
        int rank = in[0].length;
        int axis = Axes.normalize(node, node.attributes().longValue("axis"), rank, "axis");
        int[] outShape = in[0].clone();
        outShape[axis] = 0;
        for (int[] s : in) {
            boolean compatible = s.length == rank;
            for (int d = 0; compatible && d < rank; d++) {
                compatible = d == axis || s[d] == outShape[d];
            }
            if (!compatible) {
                throw new IrException(node, "input shape " + Arrays.toString(s) + " does not match "
                        + Arrays.toString(in[0]) + " outside axis " + axis);
            }
            outShape[axis] += s[axis];
        }
        return outShape;
    }
}
