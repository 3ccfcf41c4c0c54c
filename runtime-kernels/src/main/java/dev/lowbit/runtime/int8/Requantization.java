package dev.lowbit.runtime.int8;

import java.util.Arrays;
import java.util.Objects;

/**
 * The epilogue fused into every int8 kernel: what happens to the exact int32 dot product {@code D} of one output
 * channel {@code oc}. Immutable after construction and thread-safe (the arrays are private copies, padded so
 * kernels can read whole vectors past the last channel).
 *
 * <p>Exact arithmetic, in this order, all in f32 with Java's round-to-nearest-even:
 * <pre>
 *   D  = sum over taps ((x - z_x) * w)                  exact int32 (compensation already subtracted)
 *   f  = fma((float) D, multiplier[oc], bias[oc])        multiplier = s_x * s_w[oc], one rounding
 *   f  = max(f, 0)                                       only if relu
 * fp32 output:  out = f
 * quantized output (the next layer's FakeQuantize, levels L, input range [low, high]):
 *   f  = min(max(f, low), high)                          FakeQuantize's crop (x <= low -> 0, x > high -> L-1)
 *   q  = rint((f - low) / (high - low) * (L - 1))        same operation order as the reference FakeQuantize
 *   out = q + (signed ? -128 : 0)                        stored u8 (0..L-1) or i8 (-128..L-129)
 * </pre>
 * Where it can differ from the fp32 oracle by one quantization step: {@code (float) D} is exact only for
 * {@code |D| <= 2^24}; the oracle computes the convolution of dequantized values (in double, then f32) and
 * adds the bias separately, while {@code s_x * s_w} here is one f32 product fused with the bias add; and the
 * low/high/multiplier constants themselves are f32 roundings of what the processor derived. Each is a
 * relative error of a few ulp of f32, which changes {@code q} only when {@code (f - low) / step} lies within
 * that error of a half-integer: then {@code q} differs by one.
 */
public final class Requantization {
    /** Extra tail every per-channel array carries so a 16-lane vector read at the last channel stays in bounds. */
    static final int PAD = 16;

    final float[] multiplier;
    final float[] bias;
    final boolean relu;
    final boolean quantized;
    final float[] cropLow;
    final float[] low;
    final float[] high;
    final float[] range;
    final float levelsMinusOne;
    final int outputOffset;
    private final int channels;

    private Requantization(float[] multiplier, float[] bias, boolean relu, float[] low, float[] high, int levels, boolean signedOutput) {
        Objects.requireNonNull(multiplier, "multiplier");
        Objects.requireNonNull(bias, "bias");
        this.channels = multiplier.length;
        if (bias.length != channels) {
            throw new IllegalArgumentException("bias has " + bias.length + " channels, multiplier " + channels);
        }
        this.multiplier = padded(multiplier, channels, 0f);
        this.bias = padded(bias, channels, 0f);
        this.relu = relu;
        this.quantized = low != null;
        if (quantized) {
            if (levels < 2 || levels > 256) {
                throw new IllegalArgumentException("levels " + levels + " outside 2..256");
            }
            this.low = padded(low, channels, 0f);
            this.high = padded(high, channels, 1f);
            this.range = new float[this.low.length];
            this.cropLow = new float[this.low.length];
            for (int c = 0; c < range.length; c++) {
                if (!(this.high[c] > this.low[c])) {
                    throw new IllegalArgumentException("channel " + c + ": FakeQuantize input range [" + this.low[c] + ", "
                            + this.high[c] + "] is empty");
                }
                range[c] = this.high[c] - this.low[c];
                // ReLU then crop to [low, high] equals a crop to [max(low, 0), high].
                cropLow[c] = relu ? Math.max(this.low[c], 0f) : this.low[c];
            }
            this.levelsMinusOne = levels - 1;
            this.outputOffset = signedOutput ? -128 : 0;
        } else {
            this.low = this.high = this.range = this.cropLow = null;
            this.levelsMinusOne = 0;
            this.outputOffset = 0;
        }
    }

    /** fp32 output: {@code fma(D, multiplier, bias)}, then ReLU if asked. */
    public static Requantization toFloat(float[] multiplier, float[] bias, boolean relu) {
        return new Requantization(multiplier, bias, relu, null, null, 0, false);
    }

    /**
     * Quantized output for the next layer. {@code low}/{@code high} are the FakeQuantize input range, per channel
     * (length = channels) or per tensor (length 1).
     */
    public static Requantization toQuantized(float[] multiplier, float[] bias, boolean relu,
                                             float[] low, float[] high, int levels, boolean signedOutput) {
        Objects.requireNonNull(low, "low");
        Objects.requireNonNull(high, "high");
        return new Requantization(multiplier, bias, relu, broadcast(low, multiplier.length), broadcast(high, multiplier.length),
                levels, signedOutput);
    }

    /** Number of output channels this epilogue covers. */
    public int channels() {
        return channels;
    }

    public boolean quantized() {
        return quantized;
    }

    /** The scalar definition of the epilogue, for tests and scalar tails: the quantized byte as an int. */
    public int quantizeScalar(int d, int oc) {
        float f = Math.fma((float) d, multiplier[oc], bias[oc]);
        f = Math.min(Math.max(f, cropLow[oc]), high[oc]);
        float q = (float) Math.rint((f - low[oc]) / range[oc] * levelsMinusOne);
        return (int) q + outputOffset;
    }

    /** The scalar definition of the fp32 epilogue. */
    public float floatScalar(int d, int oc) {
        float f = Math.fma((float) d, multiplier[oc], bias[oc]);
        return relu ? Math.max(f, 0f) : f;
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

    private static float[] padded(float[] v, int channels, float fill) {
        if (v.length != channels) {
            throw new IllegalArgumentException("expected " + channels + " values, got " + v.length);
        }
        float[] p = Arrays.copyOf(v, channels + PAD);
        Arrays.fill(p, channels, p.length, fill);
        return p;
    }
}
