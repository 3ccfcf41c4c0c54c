package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Transpose (opset1): output dimension {@code i} is input dimension {@code order[i]}; an empty order reverses
 * the dimensions. The order must be a permutation of {@code 0..rank-1}. Stateless, thread-safe.
 */
final class TransposeOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor x = in[0];
        int[] perm = permutation(node, x.rank(), in[1]);
        int rank = perm.length;
        int[] inShape = x.shape();
        int[] inStrides = Shapes.strides(inShape);
        int[] outShape = new int[rank];
        int[] strides = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = inShape[perm[i]];
            strides[i] = inStrides[perm[i]];
        }
        double[] out = new double[x.size()];
        StridedWalk walk = StridedWalk.of(outShape, strides);
        for (int i = 0; i < out.length; i++) {
            out[i] = x.get(walk.offset(0));
            walk.advance();
        }
        return new Tensor[] {Tensor.of(node.output(0).type(), outShape, out)};
    }

    /** The output shape for an input of this shape and the order tensor. */
    static int[] outputShape(Node node, int[] input, Tensor order) {
        int[] perm = permutation(node, input.length, order);
        int[] out = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = input[perm[i]];
        }
        return out;
    }

    /** Output dimension i is input dimension perm[i]: the order, or the dimensions reversed for an empty order. */
    private static int[] permutation(Node node, int rank, Tensor orderTensor) {
        long[] order = OpInputs.integers(node, orderTensor, "order");
        int[] perm = new int[rank];
        if (order.length == 0) {
            Arrays.setAll(perm, i -> rank - 1 - i);
            return perm;
        }
        if (order.length != rank) {
            throw new IrException(node, "order " + Arrays.toString(order) + " does not match input rank " + rank);
        }
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            if (order[i] < 0 || order[i] >= rank || seen[(int) order[i]]) {
                throw new IrException(node, "order " + Arrays.toString(order) + " is not a permutation of 0.."
                        + (rank - 1));
            }
            seen[(int) order[i]] = true;
            perm[i] = (int) order[i];
        }
        return perm;
    }
}
