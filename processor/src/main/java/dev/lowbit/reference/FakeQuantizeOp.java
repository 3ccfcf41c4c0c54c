package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * FakeQuantize (opset1), literally as the spec and OpenVINO's reference implementation define it, with
 * {@code il, ih, ol, oh} (inputs 1-4) broadcast numpy-style to X:
 * <pre>
 * x <= min(il, ih) -> ol
 * x >  max(il, ih) -> oh
 * otherwise        -> rint((x - il) / (ih - il) * (levels - 1)) / (levels - 1) * (oh - ol) + ol
 * </pre>
 * Every step is an f32 operation in exactly that order and {@code rint} rounds half to even (the
 * reference's {@code std::nearbyint}); evaluating in double instead moves values that sit on a rounding
 * boundary by a whole step. Inverted ranges (il > ih) clip with min/max but keep the formula as written.
 * Stateless, thread-safe.
 */
final class FakeQuantizeOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(5);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        int levels = levels(node);
        ElementType type = OpInputs.floatingOutput(node);
        Tensor x = in[0];
        int[] shape = outputShape(node, x.shape(), in[1].shape(), in[2].shape(), in[3].shape(), in[4].shape());
        StridedWalk ranges = StridedWalk.of(shape, Broadcast.strides(in[1].shape(), shape),
                Broadcast.strides(in[2].shape(), shape), Broadcast.strides(in[3].shape(), shape),
                Broadcast.strides(in[4].shape(), shape));
        float steps = levels - 1;
        double[] out = new double[Shapes.size(shape)];
        for (int i = 0; i < out.length; i++) {
            out[i] = quantize((float) x.get(i), (float) in[1].get(ranges.offset(0)), (float) in[2].get(ranges.offset(1)),
                    (float) in[3].get(ranges.offset(2)), (float) in[4].get(ranges.offset(3)), steps);
            ranges.advance();
        }
        return new Tensor[] {Tensor.of(type, shape, out)};
    }

    /** The levels attribute, at least 2. */
    static int levels(Node node) {
        int levels = node.attributes().intValue("levels");
        if (levels < 2) {
            throw node.attributes().error("attribute 'levels'=" + levels + " must be at least 2");
        }
        return levels;
    }

    /** X's shape, after checking that the four ranges broadcast to it. */
    static int[] outputShape(Node node, int[] x, int[]... ranges) {
        int[][] all = new int[ranges.length + 1][];
        all[0] = x;
        System.arraycopy(ranges, 0, all, 1, ranges.length);
        int[] broadcast = Broadcast.outputShape(node, all);
        if (!Arrays.equals(broadcast, x)) {
            throw new IrException(node, "the ranges would broadcast X " + Arrays.toString(x) + " to "
                    + Arrays.toString(broadcast) + "; they must broadcast to X's shape");
        }
        return x.clone();
    }

    /** One element, in f32 and the spec's order of operations. */
    static float quantize(float x, float il, float ih, float ol, float oh, float steps) {
        if (x <= Math.min(il, ih)) {
            return ol;
        }
        if (x > Math.max(il, ih)) {
            return oh;
        }
        float q = (float) Math.rint((x - il) / (ih - il) * steps); // rint on a float is exact in double
        return q / steps * (oh - ol) + ol;
    }
}
