package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.ArrayList;
import java.util.List;

/**
 * An int8 Convolution, GroupConvolution (depthwise included) or MatMul with its dequantization moved behind the
 * int32 accumulation and its bias, ReLU and next FakeQuantize fused into the epilogue: everything a kernel call
 * needs as build-time constants. Matches the runtime kernels' contract (u8 activations with an integer zero
 * point, i8 per-output-channel weights, exact int32 dot product, {@code fma(D, multiplier, bias)}, ReLU,
 * FakeQuantize-order requantization).
 *
 * <p><b>Arithmetic.</b> Input: u8 level indices {@code q} of {@code input} (NCHW, or [M,K] for MatMul; with
 * transposeA the stored operand is [K,M]). The input channels (K for MatMul) fall into {@link #segments}, runs of
 * channels with one step {@code s}, real zero point {@code z} and integer zero point {@code p = round(z)} (one
 * segment for a per-tensor grid; a Concat of differently quantized branches gives one per part, each accumulated
 * separately, which is exact where requantizing to a common grid would not be). Per output element of channel
 * {@code oc} (segments j of oc's group, {@link #groupSegments}):
 * <pre>
 *   D[j] = sum over segment j's taps of (q - p) * w[oc]        exact int32; a padded tap reads p, so adds 0
 *        = (sum of q * w[oc]) - compensation[oc][j]            compensation = p * sum of w[oc] over the segment
 *   f    = bias[oc] (+ border term, see below)
 *   f    = fma((float) D[j], multiplier[oc][j], f)  for each j  multiplier = s * scale_w[oc]
 *   f    = max(f, 0)                                 if relu
 *   f    = f < 0 ? f * preluSlope[oc] : f            with a fused PReLU (one segment per channel only)
 *   out  = requant == null ? f : requant.quantize(f, oc)        crop, (f - low) / (high - low) * (L-1), rint
 * </pre>
 * {@code bias} is the IR's bias plus {@code multiplier * (p - z) * sum of w[oc]}: a fractional zero point (the
 * f16-rounded ranges of the 2021.4 IRs) is exact for every output whose window lies inside the input. An output
 * touching the padding additionally needs the <em>border term</em> {@code multiplier * (z - p) * (sum of w[oc]
 * over its padded taps)}, non-zero only when {@link #needsBorderTerm()}; a kernel without it is off by that much
 * at the borders (the simulator can run without it to measure the effect).
 *
 * <p><b>Exactness.</b> Equal to the IR up to f32 rounding. The one approximation: a weight zero point residual is
 * dropped (see {@link QuantizedWeights}); it is reported by {@link #approximations()} and measured by the
 * simulator tests. Immutable by contract (arrays are shared, do not modify), and then thread-safe.
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
        int[][] compensation,
        float[] bias,
        boolean relu,
        float[] preluSlope,
        float[] postScale,
        float[] postShift,
        QuantGrid requant) implements LoweredStep {

    /** Which op the layer stands for (MatMul: 2-D fully connected). Thread-safe (an enum). */
    public enum Kind { CONVOLUTION, GROUP_CONVOLUTION, MATMUL }

    /**
     * Input channels {@code [from, to)} sharing one step and real zero point; {@code padLevel} is the integer zero
     * point the kernel subtracts and pads with. Immutable, thread-safe.
     */
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
            // |effect on y| = |zp| * scale_w * |sum of x over the window| <= |zp| * scale_w * K * max|x|,
            // max|x| taken over levels 0..255 (every grid has at most 256 levels)
            double maxX = 0;
            for (InputSegment s : segments) {
                maxX = Math.max(maxX, s.step * Math.max(Math.abs(s.zeroPoint), Math.abs(255 - s.zeroPoint)));
            }
            double worst = 0;
            for (int oc = 0; oc < outputChannels(); oc++) {
                double bound = Math.abs(weights.zeroPointResidual()[oc]) * weights.scale()[oc] * weights.rowLength() * maxX;
                worst = Math.max(worst, requant == null ? bound : bound / requant.step(oc));
            }
            a.add(String.format("weight zero points up to %.3g dropped: moves an output by at most %.3g %s", dz, worst,
                    requant == null ? "(absolute, fp32 output)" : "output levels"));
        }
        return a;
    }

    /** Whether the fp32 epilogue multiplies and/or adds per channel after the activation (a fused batch norm). */
    public boolean hasPostAffine() {
        return postScale != null || postShift != null;
    }

    /** Whether every output channel sums one run of input channels (so its kernel's epilogue can take a PReLU). */
    public boolean oneSegmentPerChannel() {
        for (int[] g : groupSegments) {
            if (g.length != 1) {
                return false;
            }
        }
        return true;
    }

    /** Whether border outputs need the {@code (padLevel - z) * sum of padded w} term (padding and a fractional z). */
    public boolean needsBorderTerm() {
        return borderResidual() > 0;
    }

    /**
     * How far, in input levels, the integer level the kernels pad with lies from the real zero point, at most over
     * the segments; 0 when no output touches the padding (or for MatMul).
     */
    public double borderResidual() {
        if (kind == Kind.MATMUL || !(padsBegin[0] > 0 || padsBegin[1] > 0 || padsNeededAtEnd())) {
            return 0;
        }
        return segments.stream().mapToDouble(s -> Math.abs(s.padLevel - s.zeroPoint)).max().orElse(0);
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
            float[] preluSlope, float[] postScale, float[] postShift, QuantGrid requant) {
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
        int[][] comp = new int[rows][];
        float[] effectiveBias = new float[rows];
        for (int oc = 0; oc < rows; oc++) {
            int gr = oc / rowsPerGroup;
            int[] mine = groupSegs[gr];
            mult[oc] = new float[mine.length];
            comp[oc] = new int[mine.length];
            double b = bias[oc];
            for (int j = 0; j < mine.length; j++) {
                InputSegment s = segs.get(mine[j]);
                int from = (s.from - gr * cpg) * taps;
                int to = (s.to - gr * cpg) * taps;
                mult[oc][j] = (float) (s.step * w.scale()[oc]);
                long sum = w.rowSum(oc, from, to);
                comp[oc][j] = Math.toIntExact(s.padLevel * sum);
                b += (double) mult[oc][j] * (s.padLevel - s.zeroPoint) * sum;
            }
            effectiveBias[oc] = (float) b;
        }
        return new QuantizedLinear(kind, node, fused, input, output, inputShape, outputShape, groups, kernel, strides,
                dilations, padsBegin, transposeA, w, segs, groupSegs, mult, comp, effectiveBias, relu, preluSlope,
                postScale, postShift, requant);
    }
}
