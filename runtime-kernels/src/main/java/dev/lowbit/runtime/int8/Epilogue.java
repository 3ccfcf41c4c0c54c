package dev.lowbit.runtime.int8;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector form of {@link Requantization}'s arithmetic for 16 output channels at once. Small static methods
 * that C2 inlines into the kernels' loops (the vectors never leave registers). Stateless, thread-safe.
 */
final class Epilogue {
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Byte>> BYTES_TYPE = BYTES.vectorType();
    private static final Class<? extends Vector<Float>> FLOATS_TYPE = FLOATS.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    static final int LANES = 16;
    /** 1.5 * 2^23: adding it to a float in [0, 2^22) rounds it half-to-even to an integer held in the low mantissa bits (v <= 255 here). */
    private static final float ROUND_MAGIC = 12582912f;
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    /** Four levels of one output row as one little-endian int store: the first pixel in the lowest byte. */
    private static final VarHandle FOUR_LEVELS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Epilogue() {
    }

    /**
     * Applies the epilogue to the exact dot products {@code d[dOff..dOff+15]} of channels {@code oc .. oc+15} and stores the
     * first {@code count} (1..16) lanes to {@code outB} (quantized) or {@code outF} (fp32) at {@code off}: a
     * one-pixel, one-block {@link #storeTile}. Why not its own vector code: the callers are the kernels' rare tail
     * paths, and the vector code of a method called only from those kept a polluted type profile, so C2 left a
     * vector conversion as a virtual call and boxed it (7.5 KB per inference of vehicle-attributes INT8, JFR);
     * storeTile's code is hot in every kernel's main loop.
     */
    static void store(int[] d, int dOff, Requantization r, int oc, byte[] outB, float[] outF, int off, int count) {
        storeTile(d, dOff, 1, 1, r, oc, outB, outF, off, 0, count);
    }

    /**
     * The epilogue of output channel {@code o} for {@code n} pixels whose exact dot products are already f32
     * ({@code sums[from ..]}, as {@link FmaConvolution} computes them: every value an integer, so it equals
     * {@code (float) D}): levels to {@code outB} or, with {@code outB} null, fp32 values to {@code outF}, from
     * {@code at}; 16 pixels per step with the channel's constants broadcast. A tail shorter than 16 reruns the last
     * step shifted back to end at n (its overlap gets the same values again; the output must not overlap the sums):
     * rows of 75 pixels, as the wide rows of a padded layer are stored, spent a seventh of their outputs in the
     * scalar form. Runs shorter than 16 take the scalar form.
     */
    static void storeChannelRun(float[] sums, int from, int n, Requantization r, int o, byte[] outB, float[] outF, int at) {
        if (n < LANES) {
            for (int i = 0; i < n; i++) {
                if (outB == null) {
                    outF[at + i] = r.floatScalar(sums[from + i], o);
                } else {
                    outB[at + i] = (byte) r.quantizeScalar(sums[from + i], o);
                }
            }
            return;
        }
        if (r.slope != null) {
            preluChannelRun(sums, from, n, r, o, outB, outF, at);
            return;
        }
        float m = r.multiplier[o], b = r.bias[o];
        if (outB == null && r.hasPostAffine()) {
            affineChannelRun(sums, from, n, r, o, outF, at);
            return;
        }
        if (outB == null) {
            for (int step = 0; step < n; step += LANES) {
                int i = Math.min(step, n - LANES);
                FloatVector f = FloatVector.fromArray(FLOATS, sums, from + i).fma(m, b);
                (r.relu ? f.blend(0f, f.compare(VectorOperators.LE, 0f)) : f).intoArray(outF, at + i);
            }
            return;
        }
        float low = r.low[o], high = r.high;
        int bits = ROUND_MAGIC_BITS - r.outputOffset;
        for (int step = 0; step < n; step += LANES) {
            int i = Math.min(step, n - LANES);
            FloatVector f = FloatVector.fromArray(FLOATS, sums, from + i).fma(m, b);
            f = f.blend(low, f.compare(VectorOperators.LT, low));
            IntVector level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0));
            ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(outB, at + i);
        }
    }

    /**
     * The quantized epilogue of one Winograd F(4x4) output tile in channels-last scratch, as
     * {@link dev.lowbit.runtime.fp32.WinogradTiles.TileLevels} defines it: channels {@code [o, o + 16)} in the lanes,
     * pixel (i, x) at {@code s[y + (4 * i + x) * 16]}, levels to {@code out[to + l * plane + i * rowStride + x]}.
     * The arithmetic of {@link #storeChannelRun}, lane-wise over channels instead of pixels, so the levels are those
     * of the two passes bit for bit. A whole tile packs each row's four levels into one int per channel and stores
     * those 16 ints one by one (the Vector API scatters no bytes, and into a byte array no ints); the packed row
     * goes through the row's own 16 floats of scratch. Tiles past the plane's last row or column compute every row
     * inside and store the columns inside byte by byte.
     */
    static void storeWinogradTile(Requantization r, float[] s, int y, int o, int rows, int cols, byte[] out, int to,
            int plane, int rowStride) {
        if (r.slope != null) {
            storeWinogradTilePrelu(r, s, y, o, rows, cols, out, to, plane, rowStride);
            return;
        }
        FloatVector m = FloatVector.fromArray(FLOATS, r.multiplier, o);
        FloatVector bias = FloatVector.fromArray(FLOATS, r.bias, o);
        FloatVector low = FloatVector.fromArray(FLOATS, r.low, o);
        FloatVector high = FloatVector.broadcast(FLOATS, r.high);
        int bits = ROUND_MAGIC_BITS - r.outputOffset;
        for (int i = 0; i < rows; i++) {
            int at = y + 4 * i * LANES;
            FloatVector f = FloatVector.fromArray(FLOATS, s, at).fma(m, bias);
            f = f.blend(low, f.compare(VectorOperators.LT, low));
            IntVector row = ((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).and(0xFF);
            f = FloatVector.fromArray(FLOATS, s, at + LANES).fma(m, bias);
            f = f.blend(low, f.compare(VectorOperators.LT, low));
            row = row.or(((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).and(0xFF).lanewise(VectorOperators.LSHL, 8));
            f = FloatVector.fromArray(FLOATS, s, at + 2 * LANES).fma(m, bias);
            f = f.blend(low, f.compare(VectorOperators.LT, low));
            row = row.or(((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).and(0xFF).lanewise(VectorOperators.LSHL, 16));
            f = FloatVector.fromArray(FLOATS, s, at + 3 * LANES).fma(m, bias);
            f = f.blend(low, f.compare(VectorOperators.LT, low));
            row = row.or(((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).lanewise(VectorOperators.LSHL, 24));
            ((FloatVector) FLOATS_TYPE.cast(row.reinterpretShape(FLOATS, 0))).intoArray(s, at);
            storePackedRow(s, at, cols, out, to + i * rowStride, plane);
        }
    }

    /**
     * {@link #storeWinogradTile} with PReLU: the arithmetic of {@link #preluChannelRun}, lane-wise over channels (the
     * sign test on the fp32 value, PReLU's own product, then the range folded into one fused multiply-add).
     */
    private static void storeWinogradTilePrelu(Requantization r, float[] s, int y, int o, int rows, int cols,
            byte[] out, int to, int plane, int rowStride) {
        FloatVector m = FloatVector.fromArray(FLOATS, r.multiplier, o);
        FloatVector bias = FloatVector.fromArray(FLOATS, r.bias, o);
        FloatVector slope = FloatVector.fromArray(FLOATS, r.slope, o);
        FloatVector scale = FloatVector.fromArray(FLOATS, r.scale, o);
        FloatVector shift = FloatVector.fromArray(FLOATS, r.shift, o);
        FloatVector high = FloatVector.broadcast(FLOATS, r.high);
        int bits = ROUND_MAGIC_BITS - r.outputOffset;
        for (int i = 0; i < rows; i++) {
            int at = y + 4 * i * LANES;
            FloatVector f = FloatVector.fromArray(FLOATS, s, at).fma(m, bias);
            f = f.blend(f.mul(slope), f.compare(VectorOperators.LT, 0f)).fma(scale, shift);
            f = f.blend(0f, f.compare(VectorOperators.LT, 0f));
            IntVector row = ((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).and(0xFF);
            f = FloatVector.fromArray(FLOATS, s, at + LANES).fma(m, bias);
            f = f.blend(f.mul(slope), f.compare(VectorOperators.LT, 0f)).fma(scale, shift);
            f = f.blend(0f, f.compare(VectorOperators.LT, 0f));
            row = row.or(((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).and(0xFF).lanewise(VectorOperators.LSHL, 8));
            f = FloatVector.fromArray(FLOATS, s, at + 2 * LANES).fma(m, bias);
            f = f.blend(f.mul(slope), f.compare(VectorOperators.LT, 0f)).fma(scale, shift);
            f = f.blend(0f, f.compare(VectorOperators.LT, 0f));
            row = row.or(((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).and(0xFF).lanewise(VectorOperators.LSHL, 16));
            f = FloatVector.fromArray(FLOATS, s, at + 3 * LANES).fma(m, bias);
            f = f.blend(f.mul(slope), f.compare(VectorOperators.LT, 0f)).fma(scale, shift);
            f = f.blend(0f, f.compare(VectorOperators.LT, 0f));
            row = row.or(((IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0)))
                    .sub(bits).lanewise(VectorOperators.LSHL, 24));
            ((FloatVector) FLOATS_TYPE.cast(row.reinterpretShape(FLOATS, 0))).intoArray(s, at);
            storePackedRow(s, at, cols, out, to + i * rowStride, plane);
        }
    }

    /**
     * A tile row's levels, packed four to an int per channel in the 16 floats of scratch at {@code s[at]}, to
     * {@code out[dst + l * plane + x]}: one int store per channel for a whole row, byte by byte for the columns
     * inside a tile past the plane's last column.
     */
    private static void storePackedRow(float[] s, int at, int cols, byte[] out, int dst, int plane) {
        if (cols == 4) {
            for (int l = 0; l < LANES; l++) {
                FOUR_LEVELS.set(out, dst + l * plane, Float.floatToRawIntBits(s[at + l]));
            }
        } else {
            for (int l = 0; l < LANES; l++) {
                int four = Float.floatToRawIntBits(s[at + l]);
                for (int x = 0; x < cols; x++) {
                    out[dst + l * plane + x] = (byte) (four >>> 8 * x);
                }
            }
        }
    }

    /**
     * {@link #storeChannelRun}'s fp32 output with a per-channel Multiply and Add after the activation ({@code n >= 16}).
     * ReLU is {@code max(f, 0)} (+0.0 for -0.0 and NaN kept, as the blend above), no ReLU {@code max(f, -inf)}: no
     * vector chosen by a condition, which C2 boxed in the whole models.
     */
    private static void affineChannelRun(float[] sums, int from, int n, Requantization r, int o, float[] outF, int at) {
        float m = r.multiplier[o], b = r.bias[o], scale = r.postScale[o], shift = r.postShift[o];
        float low = r.relu ? 0f : Float.NEGATIVE_INFINITY;
        for (int step = 0; step < n; step += LANES) {
            int i = Math.min(step, n - LANES);
            FloatVector.fromArray(FLOATS, sums, from + i).fma(m, b).max(low).mul(scale).add(shift).intoArray(outF, at + i);
        }
    }

    /** {@link #storeChannelRun} of an epilogue with PReLU ({@code n >= 16}): a separate loop keeps the others as they were. */
    private static void preluChannelRun(float[] sums, int from, int n, Requantization r, int o, byte[] outB, float[] outF,
            int at) {
        float m = r.multiplier[o], b = r.bias[o], slope = r.slope[o];
        if (outB == null) {
            for (int step = 0; step < n; step += LANES) {
                int i = Math.min(step, n - LANES);
                FloatVector f = FloatVector.fromArray(FLOATS, sums, from + i).fma(m, b);
                f.blend(f.mul(slope), f.compare(VectorOperators.LT, 0f)).intoArray(outF, at + i);
            }
            return;
        }
        float scale = r.scale[o], shift = r.shift[o], high = r.high;
        int bits = ROUND_MAGIC_BITS - r.outputOffset;
        for (int step = 0; step < n; step += LANES) {
            int i = Math.min(step, n - LANES);
            FloatVector f = FloatVector.fromArray(FLOATS, sums, from + i).fma(m, b);
            f = f.blend(f.mul(slope), f.compare(VectorOperators.LT, 0f)).fma(scale, shift);
            f = f.blend(0f, f.compare(VectorOperators.LT, 0f));
            IntVector level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                    .reinterpretShape(INTS, 0));
            ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(outB, at + i);
        }
    }

    /**
     * The quantized epilogue of a full 4-pixel x 32-channel tile, {@code d[dOff + (2 * j + b) * 16 ..]} holding pixel
     * {@code j}, block {@code b}: the arithmetic of {@link #storeTile}, written out. Straight-line code without
     * loops, branches or helper calls measured 3-7% faster on 1x1 layers than {@link #storeTile}; a version
     * with a per-vector helper and a masked tail made C2 box the vectors (slower), so keep it flat.
     */
    static void storeTile4x2(int[] d, int dOff, Requantization r, int oc, byte[] out, int off, int pixelStride) {
        FloatVector high = FloatVector.broadcast(FLOATS, r.high);
        int bits = ROUND_MAGIC_BITS - r.outputOffset;
        FloatVector m = FloatVector.fromArray(FLOATS, r.multiplier, oc);
        FloatVector bias = FloatVector.fromArray(FLOATS, r.bias, oc);
        FloatVector low = FloatVector.fromArray(FLOATS, r.low, oc);
        FloatVector f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        IntVector level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, off);
        f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + 2 * LANES)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, off + pixelStride);
        f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + 4 * LANES)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, off + 2 * pixelStride);
        f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + 6 * LANES)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, off + 3 * pixelStride);
        int c = oc + LANES;
        int o = off + LANES;
        m = FloatVector.fromArray(FLOATS, r.multiplier, c);
        bias = FloatVector.fromArray(FLOATS, r.bias, c);
        low = FloatVector.fromArray(FLOATS, r.low, c);
        f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + LANES)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, o);
        f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + 3 * LANES)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, o + pixelStride);
        f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + 5 * LANES)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, o + 2 * pixelStride);
        f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + 7 * LANES)
                .convertShape(VectorOperators.I2F, FLOATS, 0)))
                .fma(m, bias);
        f = f.blend(low, f.compare(VectorOperators.LT, low));
        level = (IntVector) INTS_TYPE.cast(f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC)
                .reinterpretShape(INTS, 0));
        ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0))).intoArray(out, o + 3 * pixelStride);
    }

    /**
     * The epilogue of a whole register tile: {@code d[dOff + (j * blocks + b) * 16 ..]} holds pixel {@code j},
     * channel block {@code b}. One call per tile, with the per-channel constants loaded once per block; the
     * last block stores {@code lastCount} lanes.
     */
    static void storeTile(int[] d, int dOff, int pixels, int blocks, Requantization r, int oc, byte[] outB, float[] outF,
                          int off, int pixelStride, int lastCount) {
        if (r.slope != null) {
            storeTilePrelu(d, dOff, pixels, blocks, r, oc, outB, outF, off, pixelStride, lastCount);
            return;
        }
        if (outB == null && r.hasPostAffine()) {
            storeTileAffine(d, dOff, pixels, blocks, r, oc, outF, off, pixelStride, lastCount);
            return;
        }
        if (outB == null) {
            for (int b = 0; b < blocks; b++) {
                int c = oc + b * LANES;
                FloatVector m = FloatVector.fromArray(FLOATS, r.multiplier, c);
                FloatVector bias = FloatVector.fromArray(FLOATS, r.bias, c);
                int count = b == blocks - 1 ? lastCount : LANES;
                for (int j = 0; j < pixels; j++) {
                    FloatVector f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + (j * blocks + b) * LANES)
                            .convertShape(VectorOperators.I2F, FLOATS, 0))).fma(m, bias);
                    if (r.relu) {
                        f = f.max(0f);
                    }
                    int at = off + j * pixelStride + b * LANES;
                    if (count == LANES) {
                        f.intoArray(outF, at);
                    } else {
                        f.intoArray(outF, at, FLOATS.indexInRange(0, count));
                    }
                }
            }
            return;
        }
        for (int b = 0; b < blocks; b++) {
            int c = oc + b * LANES;
            FloatVector m = FloatVector.fromArray(FLOATS, r.multiplier, c);
            FloatVector bias = FloatVector.fromArray(FLOATS, r.bias, c);
            FloatVector low = FloatVector.fromArray(FLOATS, r.low, c);
            FloatVector high = FloatVector.broadcast(FLOATS, r.high);
            int count = b == blocks - 1 ? lastCount : LANES;
            for (int j = 0; j < pixels; j++) {
                FloatVector f = (FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + (j * blocks + b) * LANES)
                        .convertShape(VectorOperators.I2F, FLOATS, 0));
                f = f.fma(m, bias);
                f = f.blend(low, f.compare(VectorOperators.LT, low));
                f = f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC);
                IntVector q = ((IntVector) INTS_TYPE.cast(f.reinterpretShape(INTS, 0)))
                        .sub(ROUND_MAGIC_BITS - r.outputOffset);
                ByteVector v = (ByteVector) BYTES_TYPE.cast(q.convertShape(VectorOperators.I2B, BYTES, 0));
                int at = off + j * pixelStride + b * LANES;
                if (count == LANES) {
                    v.intoArray(outB, at);
                } else {
                    v.intoArray(outB, at, BYTES.indexInRange(0, count));
                }
            }
        }
    }

    /**
     * {@link #storeTile}'s fp32 output with a per-channel Multiply and Add after the activation: a loop of its own
     * (as PReLU's) so the others keep their code, and no vector chosen by a condition (C2 boxed such a merge in the
     * whole models: SteadyStateAllocationTest).
     */
    private static void storeTileAffine(int[] d, int dOff, int pixels, int blocks, Requantization r, int oc,
            float[] outF, int off, int pixelStride, int lastCount) {
        float low = r.relu ? 0f : Float.NEGATIVE_INFINITY;
        for (int b = 0; b < blocks; b++) {
            int c = oc + b * LANES;
            FloatVector m = FloatVector.fromArray(FLOATS, r.multiplier, c);
            FloatVector bias = FloatVector.fromArray(FLOATS, r.bias, c);
            FloatVector scale = FloatVector.fromArray(FLOATS, r.postScale, c);
            FloatVector shift = FloatVector.fromArray(FLOATS, r.postShift, c);
            int count = b == blocks - 1 ? lastCount : LANES;
            for (int j = 0; j < pixels; j++) {
                FloatVector f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + (j * blocks + b) * LANES)
                        .convertShape(VectorOperators.I2F, FLOATS, 0))).fma(m, bias);
                f.max(low).mul(scale).add(shift).intoArray(outF, off + j * pixelStride + b * LANES,
                        FLOATS.indexInRange(0, count));
            }
        }
    }

    /** {@link #storeTile} of an epilogue with PReLU, in the order of {@link Requantization}'s definition. */
    private static void storeTilePrelu(int[] d, int dOff, int pixels, int blocks, Requantization r, int oc, byte[] outB,
            float[] outF, int off, int pixelStride, int lastCount) {
        FloatVector high = FloatVector.broadcast(FLOATS, r.high);
        int bits = ROUND_MAGIC_BITS - r.outputOffset;
        for (int b = 0; b < blocks; b++) {
            int c = oc + b * LANES;
            FloatVector m = FloatVector.fromArray(FLOATS, r.multiplier, c);
            FloatVector bias = FloatVector.fromArray(FLOATS, r.bias, c);
            FloatVector slope = FloatVector.fromArray(FLOATS, r.slope, c);
            int count = b == blocks - 1 ? lastCount : LANES;
            for (int j = 0; j < pixels; j++) {
                FloatVector f = ((FloatVector) FLOATS_TYPE.cast(IntVector.fromArray(INTS, d, dOff + (j * blocks + b) * LANES)
                        .convertShape(VectorOperators.I2F, FLOATS, 0))).fma(m, bias);
                f = f.blend(f.mul(slope), f.compare(VectorOperators.LT, 0f));
                int at = off + j * pixelStride + b * LANES;
                if (outB == null) {
                    f.intoArray(outF, at, FLOATS.indexInRange(0, count));
                    continue;
                }
                f = f.fma(FloatVector.fromArray(FLOATS, r.scale, c), FloatVector.fromArray(FLOATS, r.shift, c));
                f = f.blend(0f, f.compare(VectorOperators.LT, 0f));
                f = f.blend(high, f.compare(VectorOperators.GT, high)).add(ROUND_MAGIC);
                IntVector level = (IntVector) INTS_TYPE.cast(f.reinterpretShape(INTS, 0));
                ((ByteVector) BYTES_TYPE.cast(level.sub(bits).convertShape(VectorOperators.I2B, BYTES, 0)))
                        .intoArray(outB, at, BYTES.indexInRange(0, count));
            }
        }
    }
}
