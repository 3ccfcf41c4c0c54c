package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.ArrayList;
import java.util.List;

/**
 * An int8 Convolution, GroupConvolution (depthwise included) or MatMul with its dequantization moved behind the
 * int32 accumulation and its bias, ReLU and next FakeQuantize fused into the epilogue: everything a kernel call
 * needs as build-time constants.
 *
 * <p><b>Arithmetic.</b> Input: u8 level indices {@code q} of {@code input} (NCHW, or [M,K] for MatMul; with
 * transposeA the stored operand is [K,M]). The input channels (K for MatMul) fall into {@link #segments}, runs of
 * channels with one step {@code s} and real zero point {@code z} (one segment for a per-tensor grid; a Concat of
 * differently quantized tensors gives one per part, each accumulated separately, which is exact where a
 * requantization to a common grid would not be). Per output element of output channel {@code oc}:
 * <pre>
 *   acc[j] = sum over the taps of segment j (within oc's group) of q * w[oc]      (int32, exact;
 *            a padded tap reads the segment's padLevel = round(z))
 *   comp   = compensation[oc][j] + (padLevel - z) * (sum of w[oc] over the padded taps)   (border term,
 *            zero unless the output touches padding and z is not an integer)
 *   y      = sum_j multiplier[oc][j] * ((float) acc[j] - comp) + bias[oc]     (f32)
 *   y      = max(y, 0)                                            if relu
 *   output = requant == null ? y : requant.requantize(y, oc)      (crop, scale, round half to even)
 * </pre>
 * with {@code multiplier = s * scale_w[oc]} and {@code compensation = z * sum of w[oc] over the segment's taps}.
 * With one segment per group this is the kernels' epilogue {@code acc - comp[oc] -> * mult[oc] -> + bias[oc] ->
 * ReLU -> requantize}; {@link #groupSegments} says which segments a group reads.
 *
 * <p><b>Exactness.</b> Equal to the IR up to f32 rounding, non-integer zero points (f16-rounded ranges)
 * included: the zero point enters only through {@code compensation} and the border term, never through the
 * integer data. Padding with the rounded level alone would be off by {@code s * (padLevel - z) * sum of padded w},
 * several output levels on real layers, so the border term is part of the contract ({@link #needsBorderTerm()}).
 * The one approximation: a weight zero point residual is dropped (see {@link QuantizedWeights}); it is reported by
 * {@link #approximations()} and measured by the simulator tests.
 * Immutable by contract (arrays are shared, do not modify).
 */
public record QuantizedLinear(
        Kind kind,
        Node node,
        List<Node> fused,
        ValueRef input,
        ValueRef output,
        int[] inputShape,
        int[] outputShape,
        int groups,
        int[] kernel,
        int[] strides,
        int[] dilations,
        int[] padsBegin,
        boolean transposeA,
        QuantizedWeights weights,
        List<InputSegment> segments,
        int[][] groupSegments,
        float[][] multiplier,
        float[][] compensation,
        float[] bias,
        boolean relu,
        QuantGrid requant) implements LoweredStep {

    public enum Kind { CONVOLUTION, GROUP_CONVOLUTION, MATMUL }

    /** Input channels {@code [from, to)} sharing one step and zero point; padded taps read {@code padLevel}. */
    public record InputSegment(int from, int to, double step, double zeroPoint, int padLevel) {}

    public QuantizedLinear {
        fused = List.copyOf(fused);
        segments = List.copyOf(segments);
    }

    @Override
    public List<ValueRef> inputs() {
        return List.of(input);
    }

    /** Output channels. */
    public int outputChannels() {
        return weights.rows();
    }

    /** Input channels per group (conv) or K (MatMul). */
    public int channelsPerGroup() {
        return kind == Kind.MATMUL ? weights.rowLength() : weights.rowLength() / (kernel[0] * kernel[1]);
    }

    /** Multiply-accumulates per inference. */
    public long macs() {
        long out = 1;
        for (int d : outputShape) {
            out *= d;
        }
        return out * weights.rowLength();
    }

    /** Human-readable list of the approximations this layer takes, empty when it is exact up to f32 rounding. */
    public List<String> approximations() {
        List<String> a = new ArrayList<>();
        double dz = weights.maxDroppedZeroPoint();
        if (dz > 0) {
            a.add("weight zero points up to " + dz + " dropped");
        }
        return a;
    }

    /** Whether border outputs need the {@code (padLevel - z) * sum of padded w} term (padding and a fractional z). */
    public boolean needsBorderTerm() {
        if (kind == Kind.MATMUL || !(padsBegin[0] > 0 || padsBegin[1] > 0 || padsNeededAtEnd())) {
            return false;
        }
        return segments.stream().anyMatch(s -> s.padLevel != s.zeroPoint);
    }

    private boolean padsNeededAtEnd() {
        for (int ax = 0; ax < 2; ax++) {
            int in = inputShape[2 + ax];
            int last = (outputShape[2 + ax] - 1) * strides[ax] - padsBegin[ax] + (kernel[ax] - 1) * dilations[ax];
            if (last >= in) {
                return true;
            }
        }
        return false;
    }

    /**
     * Builds the epilogue constants. {@code inGrid} is the input's grid expanded to its channels (axis 1; for
     * MatMul the K axis, or one per-tensor grid with transposeA); {@code bias} has one entry per output channel.
     */
    static QuantizedLinear build(Kind kind, Node node, List<Node> fused, ValueRef input, ValueRef output,
            int[] inputShape, int[] outputShape, int groups, int[] kernel, int[] strides, int[] dilations,
            int[] padsBegin, boolean transposeA, QuantizedWeights w, QuantGrid inGrid, float[] bias, boolean relu,
            QuantGrid requant) {
        int channels = kind == Kind.MATMUL ? w.rowLength() : inputShape[1];
        QuantGrid g = inGrid.expand(channels);
        List<InputSegment> segs = new ArrayList<>();
        int start = 0;
        for (int c = 1; c <= channels; c++) {
            if (c == channels || g.step(c) != g.step(start) || g.zeroPoint(c) != g.zeroPoint(start)
                    || (kind != Kind.MATMUL && c % (channels / groups) == 0)) {
                segs.add(new InputSegment(start, c, g.step(start), g.zeroPoint(start), g.padLevel(start)));
                start = c;
            }
        }
        int cpg = channels / groups;
        int taps = kind == Kind.MATMUL ? 1 : kernel[0] * kernel[1];
        int[][] groupSegs = new int[groups][];
        for (int gr = 0; gr < groups; gr++) {
            List<Integer> idx = new ArrayList<>();
            for (int j = 0; j < segs.size(); j++) {
                if (segs.get(j).from >= gr * cpg && segs.get(j).to <= (gr + 1) * cpg) {
                    idx.add(j);
                }
            }
            groupSegs[gr] = idx.stream().mapToInt(Integer::intValue).toArray();
        }
        int rows = w.rows();
        int rowsPerGroup = rows / groups;
        float[][] mult = new float[rows][];
        float[][] comp = new float[rows][];
        for (int oc = 0; oc < rows; oc++) {
            int gr = oc / rowsPerGroup;
            int[] mine = groupSegs[gr];
            mult[oc] = new float[mine.length];
            comp[oc] = new float[mine.length];
            for (int j = 0; j < mine.length; j++) {
                InputSegment s = segs.get(mine[j]);
                int from = (s.from - gr * cpg) * taps;
                int to = (s.to - gr * cpg) * taps;
                mult[oc][j] = (float) (s.step * w.scale()[oc]);
                comp[oc][j] = (float) (s.zeroPoint * w.rowSum(oc, from, to));
            }
        }
        return new QuantizedLinear(kind, node, fused, input, output, inputShape, outputShape, groups, kernel, strides,
                dilations, padsBegin, transposeA, w, segs, groupSegs, mult, comp, bias, relu, requant);
    }
}
