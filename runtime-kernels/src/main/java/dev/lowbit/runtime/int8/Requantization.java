package dev.lowbit.runtime.int8;

import java.util.Arrays;
import java.util.Objects;

/**
 * The epilogue fused into every int8 kernel: what happens to the exact int32 dot product {@code D} of one output
 * channel {@code oc}. Immutable after construction and thread-safe (the arrays are private copies, padded so
 * kernels can read whole vectors past the last channel).
 *
 * <p>Definition (what the processor derives the constants from), per output channel:
 * <pre>
 *   D  = sum over taps ((x - z_x) * w)                 exact int32 (compensation already subtracted)
 *   f  = D * multiplier + bias                          multiplier = s_x * s_w[oc]
 *   f  = max(f, 0)                                      only if relu
 *   f  = f < 0 ? f * slope[oc] : f                      only with a PReLU slope (then never relu)
 * fp32 output:  out = f, then out * postScale[oc] and out + postShift[oc] where given (a per-channel Multiply
 *               and Add after the activation, batch-norm style, each its own f32 rounding as the separate ops)
 * quantized output (the next layer's FakeQuantize, levels L, input range [low, high]):
 *   f  = min(max(f, low), high)                         FakeQuantize's crop (x <= low -> 0, x > high -> L-1)
 *   q  = rint((f - low) / (high - low) * (L - 1))       round half to even
 *   out = q + (signed ? -128 : 0)                       stored u8 (0..L-1) or i8 (-128..L-129)
 * </pre>
 * Exact arithmetic executed, in f32 with Java's round-to-nearest-even (identical in {@link #quantizeScalar} and
 * the vector epilogue, bit for bit):
 * <pre>
 * fp32:       out = fma((float) D, multiplier, bias), then max(out, 0) if relu, then out * postScale and
 *             out + postShift where given
 * quantized:  scale = (L - 1) / (high - low)            build time, one rounding
 *             M = multiplier * scale, B = (bias - low) * scale,  build time, one rounding each
 *             v = fma((float) D, M, B)                  one rounding
 *             v = min(max(v, vLow), L - 1)              vLow = relu ? max(0, -low * scale) : 0  (ReLU + crop)
 *             out = rint(v) + offset                    rint: + 1.5 * 2^23 in f32, exact half-to-even for v < 2^22
 * with PReLU: f = fma((float) D, multiplier, bias)     as the fp32 output, so the sign test is the unfused one
 *             f = f < 0 ? f * slope : f                 PReLU's own f32 product
 *             v = fma(f, scale, -low * scale)           scale = (L - 1) / (high - low), build time
 *             v = min(max(v, 0), L - 1), out as above
 * </pre>
 * Where it can differ from the fp32 oracle by one quantization step: {@code (float) D} is exact only for
 * {@code |D| <= 2^24}; the oracle convolves dequantized values (double, then f32), adds the bias, then divides
 * by the range and multiplies by {@code L - 1}, while here the scale is folded into {@code M} and {@code B}
 * (three extra f32 roundings at build time) and applied with one fused multiply-add. Together these are a
 * relative error of a few f32 ulp in {@code v}; {@code rint(v)} changes only when {@code v} lies within that
 * error of a half-integer, and then by exactly one step. Saturation at 0 and {@code L - 1} is exact. With PReLU
 * the value quantized is the unfused PReLU's output bit for bit and only the last step folds the range (two
 * build-time roundings and one fused multiply-add in place of the subtraction, division and multiplication).
 */
public final class Requantization {
    /** Extra tail every per-channel array carries so a 16-lane vector read at the last channel stays in bounds. */
    static final int PAD = 16;

    /** fp32, and quantized with PReLU: multiplier; quantized otherwise: M = multiplier * scale. */
    final float[] multiplier;
    /** fp32, and quantized with PReLU: bias; quantized otherwise: B = (bias - low) * scale. */
    final float[] bias;
    final boolean relu;
    /** PReLU's slope per channel, or null without PReLU; then multiplier and bias are the fp32 ones in both forms. */
    final float[] slope;
    /** Quantized with PReLU: (L - 1) / (high - low) and -low * scale per channel; else null. */
    final float[] scale;
    final float[] shift;
    final boolean quantized;
    /**
     * fp32 output: the per-channel factor and term applied after the activation, each rounded as the separate
     * Multiply and Add would round it; both null without them (never with a quantized output), else both set, an
     * absent one as its identity (factor 1, term -0.0: x + -0.0 is x even for -0.0).
     */
    final float[] postScale;
    final float[] postShift;
    /** Lower clamp of v: 0, or -low * scale when ReLU cuts higher. */
    final float[] low;
    /** Upper clamp of v: L - 1. */
    final float high;
    final int outputOffset;
    private final int channels;

    private Requantization(float[] multiplier, float[] bias, boolean relu, float[] slope, float[] low, float[] high,
            int levels, boolean signedOutput) {
        this(multiplier, bias, relu, slope, low, high, levels, signedOutput, null, null);
    }

    private Requantization(float[] multiplier, float[] bias, boolean relu, float[] slope, float[] low, float[] high,
            int levels, boolean signedOutput, float[] postScale, float[] postShift) {
        Objects.requireNonNull(multiplier, "multiplier");
        Objects.requireNonNull(bias, "bias");
        this.channels = multiplier.length;
        if (bias.length != channels) {
            throw new IllegalArgumentException("bias has " + bias.length + " channels, multiplier " + channels);
        }
        if (slope != null && relu) {
            throw new IllegalArgumentException("ReLU and PReLU in one epilogue");
        }
        this.relu = relu;
        this.slope = slope == null ? null : padded(broadcast(slope, channels), channels);
        this.quantized = low != null;
        if ((quantized || slope != null) && (postScale != null || postShift != null)) {
            throw new IllegalArgumentException("a Multiply or Add after the activation needs an fp32 output without PReLU");
        }
        boolean affine = postScale != null || postShift != null;
        this.postScale = !affine ? null : padded(postScale != null ? postScale : broadcast(new float[] {1f}, channels),
                channels);
        this.postShift = !affine ? null : padded(postShift != null ? postShift : broadcast(new float[] {-0f}, channels),
                channels);
        if (!quantized) {
            this.multiplier = padded(multiplier, channels);
            this.bias = padded(bias, channels);
            this.low = null;
            this.high = 0;
            this.outputOffset = 0;
            this.scale = null;
            this.shift = null;
            return;
        }
        if (levels < 2 || levels > 256) {
            throw new IllegalArgumentException("levels " + levels + " outside 2..256");
        }
        this.multiplier = new float[channels + PAD];
        this.bias = new float[channels + PAD];
        this.low = new float[channels + PAD];
        this.scale = slope == null ? null : new float[channels + PAD];
        this.shift = slope == null ? null : new float[channels + PAD];
        for (int c = 0; c < channels; c++) {
            if (!(high[c] > low[c])) {
                throw new IllegalArgumentException("channel " + c + ": FakeQuantize input range [" + low[c] + ", " + high[c] + "] is empty");
            }
            float scale = (levels - 1) / (high[c] - low[c]);
            if (slope != null) {
                // PReLU needs the sign of the fp32 value, so the range is applied after it
                this.multiplier[c] = multiplier[c];
                this.bias[c] = bias[c];
                this.scale[c] = scale;
                this.shift[c] = -low[c] * scale;
                continue;
            }
            this.multiplier[c] = multiplier[c] * scale;
            this.bias[c] = (bias[c] - low[c]) * scale;
            this.low[c] = relu ? Math.max(0f, -low[c] * scale) : 0f;
        }
        this.high = levels - 1;
        this.outputOffset = signedOutput ? -128 : 0;
    }

    /** fp32 output: {@code fma(D, multiplier, bias)}, then ReLU if asked. */
    public static Requantization toFloat(float[] multiplier, float[] bias, boolean relu) {
        return new Requantization(multiplier, bias, relu, null, null, null, 0, false);
    }

    /**
     * fp32 output, {@code fma(D, multiplier, bias)}, ReLU if asked, then {@code * postScale} and {@code + postShift}
     * per channel where not null (a batch norm's Multiply and Add after the activation, as two f32 roundings).
     */
    public static Requantization toFloat(float[] multiplier, float[] bias, boolean relu, float[] postScale,
            float[] postShift) {
        return new Requantization(multiplier, bias, relu, null, null, null, 0, false, postScale, postShift);
    }

    /**
     * fp32 output through PReLU: {@code f = fma(D, multiplier, bias)}, then {@code f * slope} where {@code f < 0};
     * {@code slope} per channel (length = channels) or shared (length 1).
     */
    public static Requantization toFloatPrelu(float[] multiplier, float[] bias, float[] slope) {
        return new Requantization(multiplier, bias, false, Objects.requireNonNull(slope, "slope"), null, null, 0, false);
    }

    /**
     * Quantized output for the next layer. {@code low}/{@code high} are the FakeQuantize input range, per channel
     * (length = channels) or per tensor (length 1).
     */
    public static Requantization toQuantized(float[] multiplier, float[] bias, boolean relu,
                                             float[] low, float[] high, int levels, boolean signedOutput) {
        Objects.requireNonNull(low, "low");
        Objects.requireNonNull(high, "high");
        return new Requantization(multiplier, bias, relu, null, broadcast(low, multiplier.length),
                broadcast(high, multiplier.length), levels, signedOutput);
    }

    /** As {@link #toQuantized} with PReLU ({@code slope} as in {@link #toFloatPrelu}) in place of ReLU. */
    public static Requantization toQuantizedPrelu(float[] multiplier, float[] bias, float[] slope, float[] low,
            float[] high, int levels, boolean signedOutput) {
        Objects.requireNonNull(low, "low");
        Objects.requireNonNull(high, "high");
        return new Requantization(multiplier, bias, false, Objects.requireNonNull(slope, "slope"),
                broadcast(low, multiplier.length), broadcast(high, multiplier.length), levels, signedOutput);
    }

    /** For the kernels' runQuantized: this requantization must write the next layer's int8 levels. */
    void requireQuantized() {
        if (!quantized) {
            throw new IllegalArgumentException("requantization writes fp32; use runFloat");
        }
    }

    /** For the kernels' runFloat: this requantization must write fp32. */
    void requireFloat() {
        if (quantized) {
            throw new IllegalArgumentException("requantization writes int8; use runQuantized");
        }
    }

    /** Number of output channels this epilogue covers. */
    public int channels() {
        return channels;
    }

    public boolean quantized() {
        return quantized;
    }

    /** The scalar form of the quantized epilogue (bit-identical to the vector one): the stored byte as an int. */
    public int quantizeScalar(int d, int oc) {
        return quantizeScalar((float) d, oc);
    }

    /**
     * As {@link #quantizeScalar(int, int)} from the f32 sum the vector epilogue reads: an exact integer, or the
     * rounded sum of a Winograd F(4x4) layer ({@code FmaConvolution}).
     */
    public int quantizeScalar(float sum, int oc) {
        float v = Math.fma(sum, multiplier[oc], bias[oc]);
        if (slope != null) {
            v = Math.fma(prelu(v, slope[oc]), scale[oc], shift[oc]);
        }
        v = Math.min(Math.max(v, low[oc]), high);
        return (int) Math.rint(v) + outputOffset;
    }

    /** The scalar form of the fp32 epilogue. */
    public float floatScalar(int d, int oc) {
        return floatScalar((float) d, oc);
    }

    /** As {@link #floatScalar(int, int)} from the f32 sum the vector epilogue reads (see {@link #quantizeScalar(float, int)}). */
    public float floatScalar(float sum, int oc) {
        float f = Math.fma(sum, multiplier[oc], bias[oc]);
        if (slope != null) {
            f = prelu(f, slope[oc]);
        } else if (relu) {
            f = Math.max(f, 0f);
        }
        return postScale == null ? f : f * postScale[oc] + postShift[oc];
    }

    /** Whether an fp32 epilogue multiplies and adds per channel after the activation. */
    boolean hasPostAffine() {
        return postScale != null;
    }

    /** PReLU as OpenVINO defines it and {@code Activations.prelu} runs it. */
    private static float prelu(float f, float slope) {
        return f < 0f ? f * slope : f;
    }

    private static float[] broadcast(float[] v, int channels) {
        if (v.length == channels) {
            return v;
        }
        if (v.length == 1) {
            float[] b = new float[channels];
            Arrays.fill(b, v[0]);
            return b;
        }
        throw new IllegalArgumentException("expected 1 or " + channels + " values, got " + v.length);
    }

    private static float[] padded(float[] v, int channels) {
        if (v.length != channels) {
            throw new IllegalArgumentException("expected " + channels + " values, got " + v.length);
        }
        return Arrays.copyOf(v, channels + PAD);
    }
}
