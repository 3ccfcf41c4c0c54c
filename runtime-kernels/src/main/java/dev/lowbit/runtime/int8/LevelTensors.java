package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;

/**
 * What generated int8 code does around the kernels: quantized tensors are held as u8 <em>level indices</em>
 * ({@code 0..levels-1}) in the IR's logical order (NCHW, row-major), so views (Reshape, Squeeze) stay free and
 * the precision-preserving ops run directly on them; the convolution kernels read and write NHWC, so their
 * calls are framed by the transposes here. Quantization and dequantization use the FakeQuantize arithmetic of
 * the low-precision transformations exactly ({@code QuantGrid} in the processor): f32, reference order, round
 * half to even, so {@code dequantize(quantize(x))} equals the IR's FakeQuantize(x) bit for bit.
 * Stateless static methods; thread-safe; nothing is allocated (a call split over a {@link Parallel} pool
 * allocates its task). The {@code Parallel} overloads split by disjoint output pixels, channels or planes, each
 * element computed as on one thread, so their results are bit-identical.
 */
public final class LevelTensors {
    private LevelTensors() {}

    /**
     * Level index of every element of the NCHW tensor {@code x} ({@code outer x channels x inner}); the four
     * ranges have one entry per channel or a single entry for the whole tensor.
     */
    public static void quantize(float[] x, byte[] q, int outer, int channels, int inner, float[] inLow,
            float[] inHigh, int levels) {
        LevelVectors.quantize(x, q, outer, channels, inner, inLow, inHigh, levels);
    }

    /**
     * {@link #quantize} of {@code x * scale[c] + shift[c]}: a Multiply and an Add by per-channel constants in front
     * of a FakeQuantize (landmarks-regression's batch-norm after each pool) in one pass instead of three, with the
     * separate ops' f32 operations (a multiply, then an add), so the levels are bit-identical to theirs.
     */
    public static void quantizeAffine(float[] x, byte[] q, int outer, int channels, int inner, float[] scale,
            float[] shift, float[] inLow, float[] inHigh, int levels) {
        checkAffine(scale, shift, channels);
        LevelVectors.quantize(x, q, outer, channels, inner, scale, shift, inLow, inHigh, levels);
    }

    /** The per-channel constants of an affine quantize: one value per channel each. */
    static void checkAffine(float[] scale, float[] shift, int channels) {
        if (scale != null && (scale.length != channels || shift == null || shift.length != channels)) {
            throw new IllegalArgumentException("affine quantize of " + channels + " channels: scale "
                    + scale.length + ", shift " + (shift == null ? "null" : shift.length) + " values");
        }
    }

    /**
     * The level of {@code v} on a FakeQuantize input range {@code [il, ih]}: 0 at or below it, {@code levels - 1}
     * above it, else {@code rint((v - il) / (ih - il) * (levels - 1))} in f32 (the IR's formula, half to even).
     */
    static int level(float v, float il, float ih, int levels) {
        if (v <= Math.min(il, ih)) {
            return 0;
        }
        if (v > Math.max(il, ih)) {
            return levels - 1;
        }
        return (int) Math.rint(((v - il) / (ih - il)) * (float) (levels - 1));
    }

    /** The value of level {@code q} (unsigned byte) on an output range starting at {@code ol} of width {@code span}. */
    static float value(byte q, float ol, float span, int levels) {
        return (float) (q & 0xFF) / (float) (levels - 1) * span + ol;
    }

    /** The fp32 value of every level: {@code q / (levels-1) * (oh - ol) + ol} in f32, in that order. */
    public static void dequantize(byte[] q, float[] x, int outer, int channels, int inner, float[] outLow,
            float[] outHigh, int levels) {
        LevelVectors.dequantize(q, x, outer, channels, inner, outLow, outHigh, levels, false);
    }

    /**
     * Element-wise sum of two level tensors of one shape ({@code outer x channels x inner}, NCHW) requantized to
     * the output grid: {@code q = quantize(dequantize_a(qa) + dequantize_b(qb))}, each step the f32 arithmetic of
     * {@link #dequantize} and {@link #quantize} (the IR's Add between two FakeQuantize and the next FakeQuantize).
     * The ranges have one entry per channel or one for the tensor.
     */
    public static void addRequantized(byte[] a, float[] aLow, float[] aHigh, int aLevels, byte[] b, float[] bLow,
            float[] bHigh, int bLevels, byte[] q, int outer, int channels, int inner, float[] inLow, float[] inHigh,
            int levels) {
        int i = 0;
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++, i += inner) {
                int ra = aLow.length == 1 ? 0 : c, rb = bLow.length == 1 ? 0 : c, r = inLow.length == 1 ? 0 : c;
                LevelVectors.addRun(a, aLow[ra], aHigh[ra], aLevels, b, bLow[rb], bHigh[rb], bLevels, q, i, inner, inLow[r],
                        inHigh[r], levels);
            }
        }
    }

    /** One element of {@link #addRequantized}: channel {@code c}'s ranges (or the tensor's single range). */
    static int addedLevel(byte a, float[] aLow, float[] aHigh, int aLevels, byte b, float[] bLow, float[] bHigh,
            int bLevels, int c, float[] inLow, float[] inHigh, int levels) {
        int ra = aLow.length == 1 ? 0 : c, rb = bLow.length == 1 ? 0 : c, r = inLow.length == 1 ? 0 : c;
        float v = value(a, aLow[ra], aHigh[ra] - aLow[ra], aLevels) + value(b, bLow[rb], bHigh[rb] - bLow[rb], bLevels);
        return level(v, inLow[r], inHigh[r], levels);
    }

    /** NCHW to NHWC for {@code batch} images of {@code channels x pixels} bytes. */
    public static void toNhwc(byte[] in, byte[] out, int batch, int channels, int pixels) {
        toNhwc(in, out, batch, channels, pixels, null);
    }

    /** As {@link #toNhwc(byte[], byte[], int, int, int)}, split by pixels over {@code parallel} when large enough (null: caller). */
    public static void toNhwc(byte[] in, byte[] out, int batch, int channels, int pixels, Parallel parallel) {
        for (int n = 0; n < batch; n++) {
            sliceToNhwc(in, n * channels * pixels, out, n * channels * pixels, channels, pixels, parallel);
        }
    }

    /** One image's channels {@code [from, from + channels)} of an NCHW tensor starting at {@code inOff}, to NHWC. */
    public static void sliceToNhwc(byte[] in, int inOff, byte[] out, int channels, int pixels) {
        sliceToNhwc(in, inOff, out, 0, channels, pixels, null);
    }

    /** As {@link #sliceToNhwc(byte[], int, byte[], int, int)}, split by pixels over {@code parallel} when large enough. */
    public static void sliceToNhwc(byte[] in, int inOff, byte[] out, int channels, int pixels, Parallel parallel) {
        sliceToNhwc(in, inOff, out, 0, channels, pixels, parallel);
    }

    private static void sliceToNhwc(byte[] in, int inOff, byte[] out, int outOff, int channels, int pixels, Parallel parallel) {
        if (split(parallel, (long) channels * pixels)) {
            parallel.forRange(pixels, (from, to, w) -> sliceToNhwc(in, inOff, out, outOff, channels, pixels, from, to));
        } else {
            sliceToNhwc(in, inOff, out, outOff, channels, pixels, 0, pixels);
        }
    }

    /** Output pixels {@code [p0, p1)}: each writes only its own {@code channels} bytes. */
    private static void sliceToNhwc(byte[] in, int inOff, byte[] out, int outOff, int channels, int pixels, int p0, int p1) {
        for (int c = 0; c < channels; c++) {
            int src = inOff + c * pixels;
            for (int p = p0; p < p1; p++) {
                out[outOff + p * channels + c] = in[src + p];
            }
        }
    }

    /**
     * Whether a memory-bound pass over {@code bytes} is worth splitting: a scalar byte costs about as much as 32
     * multiply-accumulates of the int8 kernels (measured share of face-detection's time), hence the factor.
     */
    private static boolean split(Parallel parallel, long bytes) {
        return parallel != null && parallel.worthSplitting(bytes * 32);
    }

    /**
     * The epilogue of a layer whose input channels fall into {@code segments} runs with different grids, each
     * accumulated separately into exact dot products {@code d[j * pixels * channels + p * channels + oc]} (NHWC):
     * {@code y = bias; y = fma(d_j, multiplier[j * channels + oc], y)} for each run in order; ReLU; then the level
     * on the output grid (as {@link #quantize}) written NCHW to {@code q} at {@code qOff}, or, with {@code q} null,
     * {@code y} written NCHW to {@code f} at {@code fOff}.
     */
    public static void combineSegments(float[] d, int segments, int pixels, int channels, float[] bias,
            float[] multiplier, boolean relu, float[] inLow, float[] inHigh, int levels, byte[] q, int qOff, float[] f,
            int fOff) {
        combineSegments(d, segments, pixels, channels, bias, multiplier, relu, inLow, inHigh, levels, q, qOff, false, f,
                fOff, null);
    }

    /**
     * As the overload without {@code parallel}, the levels written NHWC when {@code channelsLast} (the fp32 output
     * stays NCHW), split by pixels over {@code parallel} when large enough (null: caller).
     */
    public static void combineSegments(float[] d, int segments, int pixels, int channels, float[] bias,
            float[] multiplier, boolean relu, float[] inLow, float[] inHigh, int levels, byte[] q, int qOff,
            boolean channelsLast, float[] f, int fOff, Parallel parallel) {
        if (split(parallel, 4L * segments * pixels * channels)) {
            parallel.forRange(pixels, (from, to, w) -> combineSegments(d, segments, pixels, channels, bias, multiplier, relu,
                    inLow, inHigh, levels, q, qOff, channelsLast, f, fOff, from, to));
        } else {
            combineSegments(d, segments, pixels, channels, bias, multiplier, relu, inLow, inHigh, levels, q, qOff,
                    channelsLast, f, fOff, 0, pixels);
        }
    }

    /** Output pixels {@code [p0, p1)}, each element computed alone (so any split is bit-identical). */
    private static void combineSegments(float[] d, int segments, int pixels, int channels, float[] bias,
            float[] multiplier, boolean relu, float[] inLow, float[] inHigh, int levels, byte[] q, int qOff,
            boolean channelsLast, float[] f, int fOff, int p0, int p1) {
        int plane = pixels * channels;
        for (int p = p0; p < p1; p++) {
            if (channelsLast && q != null) { // NHWC levels: vector steps, the same f32 operations
                LevelVectors.combineDense(d, segments, plane, p * channels, channels, bias, multiplier, relu, inLow,
                        inHigh, levels, q, qOff + p * channels);
                continue;
            }
            for (int oc = 0; oc < channels; oc++) {
                float y = bias[oc];
                for (int j = 0; j < segments; j++) {
                    y = Math.fma(d[j * plane + p * channels + oc], multiplier[j * channels + oc], y);
                }
                if (relu) {
                    y = Math.max(y, 0f);
                }
                if (q == null) {
                    f[fOff + oc * pixels + p] = y;
                    continue;
                }
                int r = inLow.length == 1 ? 0 : oc;
                q[qOff + (channelsLast ? p * channels + oc : oc * pixels + p)] = (byte) level(y, inLow[r], inHigh[r], levels);
            }
        }
    }

    /**
     * {@link #combineSegments} for exact dot products stored NCHW per segment, {@code d[j * channels * pixels +
     * oc * pixels + p]} (as the convolutions on f32 FMA write them): the same arithmetic, levels written NCHW to
     * {@code q} at {@code qOff}, or, with {@code q} null, {@code y} written NCHW to {@code f} at {@code fOff}.
     */
    public static void combinePlanes(float[] d, int segments, int pixels, int channels, float[] bias, float[] multiplier,
            boolean relu, float[] inLow, float[] inHigh, int levels, byte[] q, int qOff, float[] f, int fOff) {
        combinePlanes(d, segments, pixels, channels, bias, multiplier, relu, inLow, inHigh, levels, q, qOff, f, fOff, null);
    }

    /**
     * As above, split over {@code parallel} by ranges of pixels when large enough: the ranges of output rows the
     * split {@code FmaConvolution} runs wrote on the same threads. Each value gets the same arithmetic.
     */
    public static void combinePlanes(float[] d, int segments, int pixels, int channels, float[] bias, float[] multiplier,
            boolean relu, float[] inLow, float[] inHigh, int levels, byte[] q, int qOff, float[] f, int fOff,
            Parallel parallel) {
        if (split(parallel, 4L * segments * pixels * channels)) {
            parallel.forRange(pixels, (from, to, w) -> combinePlanes(d, segments, pixels, channels, bias, multiplier,
                    relu, inLow, inHigh, levels, q, qOff, f, fOff, from, to));
        } else {
            combinePlanes(d, segments, pixels, channels, bias, multiplier, relu, inLow, inHigh, levels, q, qOff, f, fOff,
                    0, pixels);
        }
    }

    /** Pixels {@code [from, to)} of every output channel. */
    private static void combinePlanes(float[] d, int segments, int pixels, int channels, float[] bias,
            float[] multiplier, boolean relu, float[] inLow, float[] inHigh, int levels, byte[] q, int qOff, float[] f,
            int fOff, int from, int to) {
        int plane = pixels * channels;
        for (int oc = 0; oc < channels; oc++) {
            int r = q == null || inLow.length == 1 ? 0 : oc;
            int at = oc * pixels + from;
            LevelVectors.combineRun(d, segments, plane, at, to - from, bias[oc], multiplier, oc, channels, relu,
                    q == null ? 0f : inLow[r], q == null ? 1f : inHigh[r], levels, q, qOff + at, f, fOff + at);
        }
    }

    /** NHWC to NCHW for {@code batch} images of {@code pixels x channels} bytes. */
    public static void toNchw(byte[] in, byte[] out, int batch, int channels, int pixels) {
        toNchw(in, out, batch, channels, pixels, null);
    }

    /** As {@link #toNchw(byte[], byte[], int, int, int)}, split by channels over {@code parallel} when large enough. */
    public static void toNchw(byte[] in, byte[] out, int batch, int channels, int pixels, Parallel parallel) {
        for (int n = 0; n < batch; n++) {
            int base = n * channels * pixels;
            if (split(parallel, (long) channels * pixels)) {
                parallel.forRange(channels, (from, to, w) -> toNchw(in, out, base, channels, pixels, from, to));
            } else {
                toNchw(in, out, base, channels, pixels, 0, channels);
            }
        }
    }

    /** Output channels {@code [c0, c1)} of one image: each writes only its own plane. */
    private static void toNchw(byte[] in, byte[] out, int base, int channels, int pixels, int c0, int c1) {
        for (int p = 0; p < pixels; p++) {
            int src = base + p * channels;
            for (int c = c0; c < c1; c++) {
                out[base + c * pixels + p] = in[src + c];
            }
        }
    }

    /** NHWC to NCHW for {@code batch} images of {@code pixels x channels} floats. */
    public static void toNchw(float[] in, float[] out, int batch, int channels, int pixels) {
        for (int n = 0; n < batch; n++) {
            int base = n * channels * pixels;
            for (int p = 0; p < pixels; p++) {
                int src = base + p * channels;
                for (int c = 0; c < channels; c++) {
                    out[base + c * pixels + p] = in[src + c];
                }
            }
        }
    }

    /**
     * Max pooling of NCHW levels (unsigned), each window clipped to the input like {@code Pooling.maxPool}: on a
     * non-decreasing dequantization the maximum level is the level of the maximum.
     */
    public static void maxPool(byte[] x, byte[] y, int planes, int h, int w, int oh, int ow, int kh, int kw,
            int sh, int sw, int ph, int pw) {
        maxPool(x, y, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, null);
    }

    /** As the overload without {@code parallel}, split by planes over {@code parallel} when large enough (null: caller). */
    public static void maxPool(byte[] x, byte[] y, int planes, int h, int w, int oh, int ow, int kh, int kw,
            int sh, int sw, int ph, int pw, Parallel parallel) {
        if (split(parallel, (long) planes * oh * ow * kh * kw)) {
            parallel.forRange(planes,
                    (from, to, t) -> PlaneMaxPool.planes(x, y, h, w, oh, ow, kh, kw, sh, sw, ph, pw, from, to));
        } else {
            PlaneMaxPool.planes(x, y, h, w, oh, ow, kh, kw, sh, sw, ph, pw, 0, planes);
        }
    }

    /**
     * Concatenation of row-major tensors along one axis: {@code outer} = product of the dims before the axis,
     * {@code chunks[i]} = input i's axis dim times the dims after it.
     */
    public static void concat(byte[][] inputs, int[] chunks, int outer, byte[] out) {
        int total = 0;
        for (int c : chunks) {
            total += c;
        }
        int at = 0;
        for (int i = 0; i < inputs.length; i++) {
            for (int o = 0; o < outer; o++) {
                System.arraycopy(inputs[i], o * chunks[i], out, o * total + at, chunks[i]);
            }
            at += chunks[i];
        }
    }

    /** Bytes stored as exact small floats in the weights blob (packed int8 weights), back to bytes. */
    public static byte[] bytes(float[] values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (int) values[i];
        }
        return b;
    }

    /** Integers stored as exact floats in the weights blob (weight sums, |v| < 2^24), back to ints. */
    public static int[] ints(float[] values) {
        int[] v = new int[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (int) values[i];
        }
        return v;
    }
}
