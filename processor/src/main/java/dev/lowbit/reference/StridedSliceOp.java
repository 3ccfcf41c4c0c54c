package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * StridedSlice (opset1): slices {@code data} with per-axis begin, end and stride (inputs 1-3; stride
 * defaults to 1). The masks are per-index lists of 0/1 (shorter lists are padded with 0) in OpenVINO's
 * convention, where 1 means:
 * <ul>
 *   <li>{@code begin_mask} / {@code end_mask}: ignore begin / end and take the whole extent (unlike
 *       TensorFlow's bit masks, the lists hold one flag per index);</li>
 *   <li>{@code new_axis_mask}: insert a dimension of 1 (begin/end ignored; wins over shrink);</li>
 *   <li>{@code shrink_axis_mask}: take the single element at begin and drop the dimension;</li>
 *   <li>{@code ellipsis_mask}: this index stands for all axes not named by the others.</li>
 * </ul>
 * Without an ellipsis there is an implicit one at the end. begin/end clip to the axis like numpy slices;
 * this follows OpenVINO's {@code make_slice_plan}. Stateless, thread-safe.
 */
final class StridedSliceOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.between(3, 4);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor data = in[0];
        Plan plan = plan(node, data.shape(), in[1], in[2], in.length == 4 ? in[3] : null);
        return new Tensor[] {Tensor.of(node.output(0).type(), plan.outShape, plan.gather(data))};
    }

    /** The output shape for an input of this shape and the begin, end and stride tensors (stride null: ones). */
    static int[] outputShape(Node node, int[] shape, Tensor begin, Tensor end, Tensor stride) {
        return plan(node, shape, begin, end, stride).outShape;
    }

    private static Plan plan(Node node, int[] shape, Tensor beginTensor, Tensor endTensor, Tensor strideTensor) {
        long[] begin = OpInputs.integers(node, beginTensor, "begin");
        long[] end = OpInputs.integers(node, endTensor, "end");
        long[] stride = strideTensor != null ? OpInputs.integers(node, strideTensor, "stride") : ones(begin.length);
        if (end.length != begin.length || stride.length != begin.length) {
            throw new IrException(node, "begin, end and stride must have the same length, got " + begin.length + ", "
                    + end.length + ", " + stride.length);
        }
        int n = begin.length;
        boolean[] beginMask = mask(node, "begin_mask", n, true);
        boolean[] endMask = mask(node, "end_mask", n, true);
        boolean[] newAxis = mask(node, "new_axis_mask", n, false);
        boolean[] shrink = mask(node, "shrink_axis_mask", n, false);
        boolean[] ellipsis = mask(node, "ellipsis_mask", n, false);

        int realAxes = 0;
        int ellipsisCount = 0;
        for (int i = 0; i < n; i++) {
            if (ellipsis[i]) {
                if (newAxis[i] || shrink[i]) {
                    throw new IrException(node, "index " + i + " is both an ellipsis and a new or shrunk axis");
                }
                ellipsisCount++;
            } else if (!newAxis[i]) {
                realAxes++;
            }
        }
        if (ellipsisCount > 1) {
            throw new IrException(node, "ellipsis_mask marks more than one index");
        }
        if (realAxes > shape.length) {
            throw new IrException(node, "slices " + realAxes + " axes of an input of rank " + shape.length);
        }
        int ellipsisSize = shape.length - realAxes;

        Plan plan = new Plan(shape);
        for (int i = 0; i < n; i++) {
            if (ellipsis[i]) {
                plan.takeWhole(ellipsisSize);
            } else if (newAxis[i]) {
                plan.insertNewAxis();
            } else if (shrink[i]) {
                plan.takeOne(node, begin[i]);
            } else {
                plan.slice(node, i, begin[i], end[i], stride[i], beginMask[i], endMask[i]);
            }
        }
        if (ellipsisCount == 0) {
            plan.takeWhole(ellipsisSize); // the implicit ellipsis after the last index
        }
        return plan;
    }

    /**
     * What the slice reads: per input axis the first index, signed step and count; and the output shape,
     * which adds new axes and drops shrunk ones (both dimensions of 1, so row-major order is unchanged).
     */
    private static final class Plan {
        final int[] shape;
        final int[] start;
        final int[] step;
        final int[] count;
        int[] outShape = new int[0];
        int axis;

        Plan(int[] shape) {
            this.shape = shape;
            this.start = new int[shape.length];
            this.step = new int[shape.length];
            this.count = new int[shape.length];
        }

        void takeWhole(int axes) {
            for (int e = 0; e < axes; e++) {
                take(0, 1, shape[axis], true);
            }
        }

        void insertNewAxis() {
            outShape = append(outShape, 1);
        }

        void takeOne(Node node, long b) {
            int dim = shape[axis];
            if (b < -dim || b >= dim) {
                throw new IrException(node, "shrink_axis index " + b + " is outside axis " + axis + " of shape "
                        + Arrays.toString(shape));
            }
            take((int) (b < 0 ? b + dim : b), 1, 1, false);
        }

        /** One ordinary begin:end:stride slice of the current axis, clipped like numpy. */
        void slice(Node node, int index, long begin, long end, long stride, boolean ignoreBegin, boolean ignoreEnd) {
            if (stride == 0) {
                throw new IrException(node, "stride of index " + index + " is 0");
            }
            // Any step at least as long as the axis takes one element; clipping keeps the arithmetic in range.
            stride = clip(stride, -Integer.MAX_VALUE, Integer.MAX_VALUE);
            int dim = shape[axis];
            long b;
            long e;
            long n;
            if (stride > 0) {
                b = ignoreBegin ? 0 : clip(begin < 0 ? begin + dim : begin, 0, dim);
                e = ignoreEnd ? dim : clip(end < 0 ? end + dim : end, 0, dim);
                n = e > b ? (e - b + stride - 1) / stride : 0;
            } else {
                b = ignoreBegin ? dim - 1 : clip(begin < 0 ? begin + dim : begin, 0, dim - 1);
                e = ignoreEnd ? -1 : clip(end < 0 ? end + dim : end, -1, dim);
                n = b > e ? (b - e - stride - 1) / -stride : 0;
            }
            // With at most one element the step is never taken; 1 keeps the offsets small.
            take(n == 0 ? 0 : (int) b, n <= 1 ? 1 : (int) stride, (int) n, true);
        }

        private void take(int first, int signedStep, int n, boolean keepDim) {
            start[axis] = first;
            step[axis] = signedStep;
            count[axis] = n;
            if (keepDim) {
                outShape = append(outShape, n);
            }
            axis++;
        }

        double[] gather(Tensor data) {
            int[] inStrides = Shapes.strides(shape);
            int[] walkStrides = new int[shape.length];
            int base = 0;
            for (int d = 0; d < shape.length; d++) {
                walkStrides[d] = inStrides[d] * step[d];
                base += start[d] * inStrides[d];
            }
            double[] out = new double[Shapes.size(count)];
            StridedWalk walk = new StridedWalk(count, new int[] {base}, walkStrides);
            for (int i = 0; i < out.length; i++) {
                out[i] = data.get(walk.offset(0));
                walk.advance();
            }
            return out;
        }
    }

    private static long clip(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** A 0/1 list attribute as flags for the first {@code n} indices (missing entries are 0). */
    private static boolean[] mask(Node node, String name, int n, boolean required) {
        if (!node.attributes().has(name)) {
            if (required) {
                throw node.attributes().error("missing attribute '" + name + "'");
            }
            return new boolean[n];
        }
        long[] values = node.attributes().longs(name);
        boolean[] flags = new boolean[n];
        for (int i = 0; i < values.length; i++) {
            if (values[i] != 0 && values[i] != 1) {
                throw node.attributes().error("attribute '" + name + "'='" + node.attributes().string(name)
                        + "' must be a list of 0 and 1");
            }
            if (i < n) {
                flags[i] = values[i] == 1;
            }
        }
        return flags;
    }

    private static long[] ones(int n) {
        long[] r = new long[n];
        Arrays.fill(r, 1);
        return r;
    }

    private static int[] append(int[] a, int v) {
        int[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = v;
        return r;
    }
}
