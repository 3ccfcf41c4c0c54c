package dev.lowbit.runtime.int8;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Quantize and dequantize runs of one channel, 16 values per step: the lane-wise form of
 * {@link LevelTensors#level} and {@link LevelTensors#value}, the same IEEE f32 operations in the same order (the
 * division stays a division), so every level and value is bit-identical to the scalar definition; tails run
 * the scalar code. Quantize runs are contiguous on both sides, or gathered across 16 channels when the levels
 * are NHWC ({@link #quantizeToChannelsLast}); dequantize runs read levels with a byte stride: 1 for NCHW levels (vector
 * steps), the channel count for NHWC ones (scalar). Why: the scalar passes cost 2-5 ns per element, mostly the
 * f32 division, and ran at
 * every fp32/int8 border (9-17% of the int8 time of landmarks-regression in per-layer profiles). Stateless.
 */
final class LevelVectors {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Byte>> BYTES_TYPE = BYTES.vectorType();
    private static final Class<? extends Vector<Float>> FLOATS_TYPE = FLOATS.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    static final int LANES = 16;
    /** 1.5 * 2^23: adding it to a float of magnitude below 2^22 rounds it half to even to an integer in the low mantissa bits. */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);

    private LevelVectors() {
    }

    /**
     * Every channel run of the NCHW tensor {@code x} ({@code outer x channels x pixels}) quantized, the levels
     * written NCHW; the ranges have one entry per channel or one for the tensor.
     */
    static void quantize(float[] x, byte[] q, int outer, int channels, int pixels, float[] inLow, float[] inHigh,
            int levels) {
        quantize(x, q, outer, channels, pixels, null, null, inLow, inHigh, levels);
    }

    /**
     * As {@link #quantize(float[], byte[], int, int, int, float[], float[], int)} of {@code x * scale[c] + shift[c]}
     * (a multiply, then an add: the f32 operations of the separate Multiply and Add) when {@code scale} is not null.
     */
    static void quantize(float[] x, byte[] q, int outer, int channels, int pixels, float[] scale, float[] shift,
            float[] inLow, float[] inHigh, int levels) {
        int i = 0;
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++, i += pixels) {
                int r = inLow.length == 1 ? 0 : c;
                if (scale == null) {
                    quantize(x, i, pixels, inLow[r], inHigh[r], levels, q, i);
                } else {
                    quantizeRun(x, i, pixels, scale[c], shift[c], true, inLow[r], inHigh[r], levels, q, i);
                }
            }
        }
    }

    /**
     * {@link ChannelsLastLevels#quantize}: NCHW floats to NHWC levels, 16 channels per step gathered at
     * {@code channelOffsets} (k * pixels), ranges per lane as {@link #combineDense} loads them, the arithmetic of
     * {@link #quantizeDense}. A last step of fewer than 16 channels reruns the 16 channels ending at the last one
     * (the overlap gets the same levels again): the JDK checks every lane of a gather's index, masked or not.
     * Fewer than 16 channels run the scalar definition. With {@code scale} (not null) the value quantized is
     * {@code x * scale[c] + shift[c]}, a multiply and then an add as the separate ops compute it.
     */
    static void quantizeToChannelsLast(float[] x, byte[] q, int outer, int channels, int pixels, float[] scale,
            float[] shift, float[] inLow, float[] inHigh, int levels, int[] channelOffsets) {
        if (channels < LANES) {
            for (int i = 0; i < outer * pixels; i++) {
                int image = i / pixels * channels * pixels, p = i % pixels;
                for (int c = 0; c < channels; c++) {
                    int r = inLow.length == 1 ? 0 : c;
                    float v = x[image + c * pixels + p];
                    if (scale != null) {
                        v = v * scale[c] + shift[c];
                    }
                    q[image + p * channels + c] = (byte) LevelTensors.level(v, inLow[r], inHigh[r], levels);
                }
            }
            return;
        }
        boolean affine = scale != null;
        boolean perChannel = inLow.length > 1;
        FloatVector top = FloatVector.broadcast(FLOATS, (float) (levels - 1));
        for (int o = 0; o < outer; o++) {
            int image = o * channels * pixels;
            for (int step = 0; step < channels; step += LANES) {
                int c = Math.min(step, channels - LANES);
                FloatVector il = perChannel ? FloatVector.fromArray(FLOATS, inLow, c) : FloatVector.broadcast(FLOATS, inLow[0]);
                FloatVector ih = perChannel ? FloatVector.fromArray(FLOATS, inHigh, c) : FloatVector.broadcast(FLOATS, inHigh[0]);
                FloatVector range = ih.sub(il), lo = il.min(ih), hi = il.max(ih);
                FloatVector a = affine ? FloatVector.fromArray(FLOATS, scale, c) : top;
                FloatVector b = affine ? FloatVector.fromArray(FLOATS, shift, c) : top;
                for (int p = 0; p < pixels; p++) {
                    FloatVector v = FloatVector.fromArray(FLOATS, x, image + c * pixels + p, channelOffsets, 0);
                    if (affine) {
                        v = v.mul(a).add(b);
                    }
                    FloatVector t = v.sub(il).div(range).mul(top).add(ROUND_MAGIC);
                    IntVector level = ((IntVector) INTS_TYPE.cast(t.reinterpretShape(INTS, 0))).sub(ROUND_MAGIC_BITS);
                    VectorMask<Float> zero = v.compare(VectorOperators.LE, lo).or(v.test(VectorOperators.IS_NAN));
                    VectorMask<Float> full = v.compare(VectorOperators.GT, hi);
                    level = level.blend(0, zero.cast(INTS)).blend(levels - 1, full.cast(INTS));
                    ((ByteVector) BYTES_TYPE.cast(level.convertShape(VectorOperators.I2B, BYTES, 0)))
                            .intoArray(q, image + p * channels + c);
                }
            }
        }
    }

    /** The inverse pass: levels NCHW or NHWC to the NCHW float tensor {@code x}, channel run by channel run. */
    static void dequantize(byte[] q, float[] x, int outer, int channels, int pixels, float[] outLow, float[] outHigh,
            int levels, boolean channelsLast) {
        int i = 0;
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++, i += pixels) {
                int r = outLow.length == 1 ? 0 : c;
                dequantize(q, levelAt(o, c, channels, pixels, channelsLast), channelsLast ? channels : 1, pixels, outLow[r],
                        outHigh[r] - outLow[r], levels, x, i);
            }
        }
    }

    /** Where channel {@code c} of image {@code o} starts among the levels. */
    private static int levelAt(int o, int c, int channels, int pixels, boolean channelsLast) {
        return o * channels * pixels + (channelsLast ? c : c * pixels);
    }

    /** Levels of {@code x[from .. from+n)} on {@code [il, ih]}, written to {@code q[qOff ..]}: vector steps, a scalar tail. */
    static void quantize(float[] x, int from, int n, float il, float ih, int levels, byte[] q, int qOff) {
        quantizeRun(x, from, n, 1f, 0f, false, il, ih, levels, q, qOff);
    }

    /** Levels of {@code x[from + i]}, or with {@code affine} of {@code x[from + i] * a + b} (a multiply, then an add). */
    private static void quantizeRun(float[] x, int from, int n, float a, float b, boolean affine, float il, float ih,
            int levels, byte[] q, int qOff) {
        for (int i = quantizeDense(x, from, n, a, b, affine, il, ih, levels, q, qOff); i < n; i++) {
            float v = affine ? x[from + i] * a + b : x[from + i];
            q[qOff + i] = (byte) LevelTensors.level(v, il, ih, levels);
        }
    }

    /** Whole 16-lane steps of {@link #quantizeRun} with contiguous levels; returns how many elements were done. */
    private static int quantizeDense(float[] x, int from, int n, float a, float b, boolean affine, float il, float ih,
            int levels, byte[] q, int qOff) {
        float lo = Math.min(il, ih), hi = Math.max(il, ih), range = ih - il, top = (float) (levels - 1);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, from + i);
            if (affine) {
                v = v.mul(a).add(b);
            }
            // t may be huge or NaN only where a mask below overrides it
            FloatVector t = v.sub(il).div(range).mul(top).add(ROUND_MAGIC);
            IntVector level = ((IntVector) INTS_TYPE.cast(t.reinterpretShape(INTS, 0))).sub(ROUND_MAGIC_BITS);
            VectorMask<Float> zero = v.compare(VectorOperators.LE, lo).or(v.test(VectorOperators.IS_NAN));
            VectorMask<Float> full = v.compare(VectorOperators.GT, hi);
            level = level.blend(0, zero.cast(INTS)).blend(levels - 1, full.cast(INTS));
            ((ByteVector) BYTES_TYPE.cast(level.convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(q, qOff + i);
        }
        return i;
    }

    /**
     * {@link LevelTensors#combineSegments} for one pixel, levels written contiguously (NHWC) to {@code q[qOff + oc]}:
     * {@code y = bias; y = fma(d_j, multiplier_j, y)} segment by segment, ReLU as {@code max(y, 0)}, then the level
     * as {@link #quantizeDense} with one range per lane; 16 channels per step, the last step masked (squeeze layers
     * have 8 or 16 outputs). {@code at} is the pixel's first element in each segment of {@code d}. Why: the scalar
     * loop cost 5-7 ns per element and was most of the time of face-detection's squeeze layers after a two-grid
     * Concat.
     */
    static void combineDense(float[] d, int segments, int plane, int at, int channels, float[] bias, float[] multiplier,
            boolean relu, float[] inLow, float[] inHigh, int levels, byte[] q, int qOff) {
        boolean perChannel = inLow.length > 1;
        FloatVector top = FloatVector.broadcast(FLOATS, (float) (levels - 1));
        for (int oc = 0; oc < channels; oc += LANES) {
            VectorMask<Float> in = FLOATS.indexInRange(oc, channels);
            FloatVector y = FloatVector.fromArray(FLOATS, bias, oc, in);
            for (int j = 0; j < segments; j++) {
                y = FloatVector.fromArray(FLOATS, d, j * plane + at + oc, in)
                        .fma(FloatVector.fromArray(FLOATS, multiplier, j * channels + oc, in), y);
            }
            if (relu) {
                y = y.max(0f);
            }
            FloatVector il = perChannel ? FloatVector.fromArray(FLOATS, inLow, oc, in) : FloatVector.broadcast(FLOATS, inLow[0]);
            FloatVector ih = perChannel ? FloatVector.fromArray(FLOATS, inHigh, oc, in) : FloatVector.broadcast(FLOATS, inHigh[0]);
            // lanes outside the mask hold 0 / 0 = NaN here; they are not stored
            FloatVector t = y.sub(il).div(ih.sub(il)).mul(top).add(ROUND_MAGIC);
            IntVector level = ((IntVector) INTS_TYPE.cast(t.reinterpretShape(INTS, 0))).sub(ROUND_MAGIC_BITS);
            VectorMask<Float> zero = y.compare(VectorOperators.LE, il.min(ih)).or(y.test(VectorOperators.IS_NAN));
            VectorMask<Float> full = y.compare(VectorOperators.GT, il.max(ih));
            level = level.blend(0, zero.cast(INTS)).blend(levels - 1, full.cast(INTS));
            ((ByteVector) BYTES_TYPE.cast(level.convertShape(VectorOperators.I2B, BYTES, 0)))
                    .intoArray(q, qOff + oc, in.cast(BYTES));
        }
    }

    /**
     * {@link LevelTensors#addedLevel} for one pixel's {@code channels} NHWC elements from {@code at} (ranges per
     * channel or per tensor, as there): both operands dequantized as {@link #dequantize}, added, and quantized as
     * {@link #quantizeDense}, 16 channels per step, the last step masked. The steps are written out here rather
     * than shared with {@link #combineDense} through a method taking vectors: one C2 does not inline would box
     * them. Why: the scalar pass cost about 4 ns per element, 11% of vehicle-attributes' int8 time.
     */
    static void addDense(byte[] a, float[] aLow, float[] aHigh, int aLevels, byte[] b, float[] bLow, float[] bHigh,
            int bLevels, byte[] q, int at, int channels, float[] inLow, float[] inHigh, int levels) {
        FloatVector aTop = FloatVector.broadcast(FLOATS, (float) (aLevels - 1));
        FloatVector bTop = FloatVector.broadcast(FLOATS, (float) (bLevels - 1));
        FloatVector top = FloatVector.broadcast(FLOATS, (float) (levels - 1));
        for (int c = 0; c < channels; c += LANES) {
            VectorMask<Float> in = FLOATS.indexInRange(c, channels);
            VectorMask<Byte> inBytes = in.cast(BYTES);
            FloatVector al = aLow.length == 1 ? FloatVector.broadcast(FLOATS, aLow[0]) : FloatVector.fromArray(FLOATS, aLow, c, in);
            FloatVector ah = aHigh.length == 1 ? FloatVector.broadcast(FLOATS, aHigh[0]) : FloatVector.fromArray(FLOATS, aHigh, c, in);
            FloatVector bl = bLow.length == 1 ? FloatVector.broadcast(FLOATS, bLow[0]) : FloatVector.fromArray(FLOATS, bLow, c, in);
            FloatVector bh = bHigh.length == 1 ? FloatVector.broadcast(FLOATS, bHigh[0]) : FloatVector.fromArray(FLOATS, bHigh, c, in);
            IntVector vaInts = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, a, at + c, inBytes)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector va = (FloatVector) FLOATS_TYPE.cast(vaInts.convertShape(VectorOperators.I2F, FLOATS, 0));
            IntVector vbInts = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, b, at + c, inBytes)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector vb = (FloatVector) FLOATS_TYPE.cast(vbInts.convertShape(VectorOperators.I2F, FLOATS, 0));
            FloatVector y = va.div(aTop).mul(ah.sub(al)).add(al).add(vb.div(bTop).mul(bh.sub(bl)).add(bl));
            FloatVector il = inLow.length == 1 ? FloatVector.broadcast(FLOATS, inLow[0]) : FloatVector.fromArray(FLOATS, inLow, c, in);
            FloatVector ih = inHigh.length == 1 ? FloatVector.broadcast(FLOATS, inHigh[0]) : FloatVector.fromArray(FLOATS, inHigh, c, in);
            // lanes outside the mask may hold NaN here; they are not stored
            FloatVector t = y.sub(il).div(ih.sub(il)).mul(top).add(ROUND_MAGIC);
            IntVector level = ((IntVector) INTS_TYPE.cast(t.reinterpretShape(INTS, 0))).sub(ROUND_MAGIC_BITS);
            VectorMask<Float> zero = y.compare(VectorOperators.LE, il.min(ih)).or(y.test(VectorOperators.IS_NAN));
            VectorMask<Float> full = y.compare(VectorOperators.GT, il.max(ih));
            level = level.blend(0, zero.cast(INTS)).blend(levels - 1, full.cast(INTS));
            ((ByteVector) BYTES_TYPE.cast(level.convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(q, at + c, inBytes);
        }
    }

    /**
     * {@link LevelTensors#combinePlanes} for output channel {@code oc} (NCHW): pixels {@code [0, pixels)} of every
     * segment's plane, {@code y = bias; y = fma(d_j, multiplier_j, y)} segment by segment, ReLU as
     * {@code max(y, 0)}, then the level on {@code [il, ih]} as {@link #quantizeDense} (written to {@code q[qOff ..]}),
     * or, with {@code q} null, {@code y} itself to {@code f[fOff ..]}; 16 pixels per step, a scalar tail with the
     * same operations.
     */
    static void combineRun(float[] d, int segments, int plane, int at, int pixels, float bias, float[] multiplier,
            int multiplierAt, int multiplierStride, boolean relu, float il, float ih, int levels, byte[] q, int qOff,
            float[] f, int fOff) {
        float lo = Math.min(il, ih), hi = Math.max(il, ih), range = ih - il, top = (float) (levels - 1);
        int i = 0;
        for (; i + LANES <= pixels; i += LANES) {
            FloatVector y = FloatVector.broadcast(FLOATS, bias);
            for (int j = 0; j < segments; j++) {
                y = FloatVector.fromArray(FLOATS, d, j * plane + at + i)
                        .fma(FloatVector.broadcast(FLOATS, multiplier[multiplierAt + j * multiplierStride]), y);
            }
            if (relu) {
                y = y.max(0f);
            }
            if (q == null) {
                y.intoArray(f, fOff + i);
                continue;
            }
            // t may be huge or NaN only where a mask below overrides it
            FloatVector t = y.sub(il).div(range).mul(top).add(ROUND_MAGIC);
            IntVector level = ((IntVector) INTS_TYPE.cast(t.reinterpretShape(INTS, 0))).sub(ROUND_MAGIC_BITS);
            VectorMask<Float> zero = y.compare(VectorOperators.LE, lo).or(y.test(VectorOperators.IS_NAN));
            VectorMask<Float> full = y.compare(VectorOperators.GT, hi);
            level = level.blend(0, zero.cast(INTS)).blend(levels - 1, full.cast(INTS));
            ((ByteVector) BYTES_TYPE.cast(level.convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(q, qOff + i);
        }
        for (; i < pixels; i++) {
            float y = bias;
            for (int j = 0; j < segments; j++) {
                y = Math.fma(d[j * plane + at + i], multiplier[multiplierAt + j * multiplierStride], y);
            }
            if (relu) {
                y = Math.max(y, 0f);
            }
            if (q == null) {
                f[fOff + i] = y;
            } else {
                q[qOff + i] = (byte) LevelTensors.level(y, il, ih, levels);
            }
        }
    }

    /**
     * {@link LevelTensors#addedLevel} for the contiguous run {@code [at, at + n)} of one channel (NCHW): the ranges
     * are the channel's; the steps of {@link #addDense} with broadcast ranges, a scalar tail. Why: the scalar pass
     * cost about 4 ns per element, and the residual adds stay NCHW next to convolutions on f32 FMA.
     */
    static void addRun(byte[] a, float al, float ah, int aLevels, byte[] b, float bl, float bh, int bLevels, byte[] q,
            int at, int n, float il, float ih, int levels) {
        float aTop = (float) (aLevels - 1), bTop = (float) (bLevels - 1), top = (float) (levels - 1);
        float aSpan = ah - al, bSpan = bh - bl, range = ih - il, lo = Math.min(il, ih), hi = Math.max(il, ih);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            IntVector vaInts = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, a, at + i)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector va = (FloatVector) FLOATS_TYPE.cast(vaInts.convertShape(VectorOperators.I2F, FLOATS, 0));
            IntVector vbInts = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, b, at + i)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector vb = (FloatVector) FLOATS_TYPE.cast(vbInts.convertShape(VectorOperators.I2F, FLOATS, 0));
            FloatVector y = va.div(aTop).mul(aSpan).add(al).add(vb.div(bTop).mul(bSpan).add(bl));
            // t may be huge or NaN only where a mask below overrides it
            FloatVector t = y.sub(il).div(range).mul(top).add(ROUND_MAGIC);
            IntVector level = ((IntVector) INTS_TYPE.cast(t.reinterpretShape(INTS, 0))).sub(ROUND_MAGIC_BITS);
            VectorMask<Float> zero = y.compare(VectorOperators.LE, lo).or(y.test(VectorOperators.IS_NAN));
            VectorMask<Float> full = y.compare(VectorOperators.GT, hi);
            level = level.blend(0, zero.cast(INTS)).blend(levels - 1, full.cast(INTS));
            ((ByteVector) BYTES_TYPE.cast(level.convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(q, at + i);
        }
        for (; i < n; i++) { // LevelTensors.addedLevel with this channel's ranges (no per-call range arrays)
            float v = LevelTensors.value(a[at + i], al, aSpan, aLevels) + LevelTensors.value(b[at + i], bl, bSpan, bLevels);
            q[at + i] = (byte) LevelTensors.level(v, il, ih, levels);
        }
    }

    /**
     * Values of the levels {@code q[qOff + i * qStride]} ({@code i < n}) on {@code [ol, ol + span]}, written to
     * {@code x[from ..]}. Vector steps only for contiguous levels: with a stride, gathering the bytes costs what
     * the scalar loop does (measured 0.8-0.9 ns per element either way).
     */
    static void dequantize(byte[] q, int qOff, int qStride, int n, float ol, float span, int levels, float[] x, int from) {
        float top = (float) (levels - 1);
        int i = 0;
        if (qStride == 1) {
            for (; i + LANES <= n; i += LANES) {
                IntVector levelInts = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, q, qOff + i)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
                FloatVector level = (FloatVector) FLOATS_TYPE.cast(levelInts.convertShape(VectorOperators.I2F, FLOATS, 0));
                level.div(top).mul(span).add(ol).intoArray(x, from + i);
            }
        }
        for (; i < n; i++) {
            x[from + i] = LevelTensors.value(q[qOff + i * qStride], ol, span, levels);
        }
    }
}
