package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * ReduceMean (opset1): the mean over the axes given by input 1 (negative allowed, repeats ignored), keeping
 * them as dimensions of 1 when {@code keep_dims} is true. Floating sums accumulate in double (independent
 * of order) and the mean is rounded once to the f32 output; integer means truncate toward zero, as
 * OpenVINO's reference does. Stateless, thread-safe.
 */
final class ReduceMeanOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor x = in[0];
        boolean[] reduced = Axes.mask(node, OpInputs.integers(node, in[1], "axes"), x.rank(), "axis");
        int[] shape = x.shape();
        int[] kept = shape.clone();
        long count = 1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                kept[d] = 1;
                count *= shape[d];
            }
        }
        // Walk the input and find each element's output slot through the keep_dims shape, where a reduced
        // dimension has stride 0.
        double[] sums = new double[Shapes.size(kept)];
        long[] intSums = new long[sums.length];
        StridedWalk walk = StridedWalk.of(shape, Broadcast.strides(kept, shape));
        ElementType type = node.output(0).type();
        for (int i = 0; i < x.size(); i++) {
            if (type.isFloatingPoint()) {
                sums[walk.offset(0)] += x.get(i);
            } else {
                try {
                    intSums[walk.offset(0)] = Math.addExact(intSums[walk.offset(0)], (long) x.get(i));
                } catch (ArithmeticException e) {
                    throw new IrException(node, "integer overflow in the sum of the mean");
                }
            }
            walk.advance();
        }
        for (int i = 0; i < sums.length; i++) {
            if (type.isFloatingPoint()) {
                sums[i] /= count;
            } else if (count == 0) {
                throw new IrException(node, "integer mean over an empty axis");
            } else {
                sums[i] = intSums[i] / count;
            }
        }
        return new Tensor[] {Tensor.of(type, outputShape(node, shape, in[1]), sums)};
    }

    /** The output shape for an input of this shape and the axes tensor. */
    static int[] outputShape(Node node, int[] shape, Tensor axes) {
        boolean[] reduced = Axes.mask(node, OpInputs.integers(node, axes, "axes"), shape.length, "axis");
        if (node.attributes().bool("keep_dims", false)) {
            int[] kept = shape.clone();
            for (int d = 0; d < shape.length; d++) {
                kept[d] = reduced[d] ? 1 : shape[d];
            }
            return kept;
        }
        int outRank = 0;
        for (boolean r : reduced) {
            outRank += r ? 0 : 1;
        }
        return dropReduced(shape, reduced, outRank);
    }

    private static int[] dropReduced(int[] shape, boolean[] reduced, int outRank) {
        int[] out = new int[outRank];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!reduced[d]) {
                out[k++] = shape[d];
            }
        }
        return out;
    }
}
