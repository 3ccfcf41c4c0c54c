package dev.lowbit.runtime.fp32;

import dev.lowbit.runtime.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The product of a one-group {@link TiledConvolution} with a small output plane ({@link TiledLayout#smallPlane}),
 * with vectors along the output channels: the deep layers of the
 * small OMZ networks (head-pose's 256 -> 512 3x3 layer has a 2x2 output, vehicle-attributes' last ones 5x5).
 * The pixel-vectorized tiles leave most lanes idle on such planes (a 5x5 output with a 1-pixel pad is 33 wide
 * pixels, two 32-lane tiles) and take every weight as a scalar broadcast: 9-38 GMAC/s. Here each step of the
 * reduction loads 4 weight vectors (4L channels) and broadcasts one source value for each of 4 pixels into 16
 * accumulators.
 *
 * <p>It reads the planes {@link TiledConvolution} prepared (padded input, stride phases or gathered taps) through
 * the same tap offsets: output pixel p's tap r is {@code src[srcBase + offsets[r] + pixelAt[p]]}, where
 * {@code pixelAt} is the pixel's place in the wide (or gathered) layout. So there is no patch copy, and each output
 * is the sum over r ascending of w * x with FMA from zero, the order of the pixel tiles. The products are written
 * pixel-major into scratch and transposed into the NCHW output. Weights packed once as
 * [block of 4L channels][r][4L], zero past the last channel.
 *
 * <p><b>Exact integer mode</b> ({@link #exactIntegers}: int8 layers on FMA, whose inputs are centred levels
 * {@code q - z}): the weights stay int8, packed the same way, and are widened to f32 in registers (a quarter of the
 * bytes to stream: these layers are mostly weights, head-pose's 256 -> 512 one 1.18 MB for 4 outputs). The f32
 * accumulators are converted to int32 and added up every {@link #EXACT_RUN} reduction steps, which keeps every
 * f32 partial sum an exact integer whatever the weights ({@code 512 * 255 * 128 < 2^24}); so each output is the
 * int8 kernels' int32 dot product D, stored as {@code (float) D}, the value their epilogue starts from. Between runs
 * the products area holds the int32 sums as raw bits (never read as floats).
 *
 * <p>Immutable; {@link #run} is thread-safe with distinct outputs and scratch.
 */
final class SmallPlaneConvolution {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** L int8 weights, widened to one f32 vector. */
    private static final VectorSpecies<Byte> WEIGHT_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));
    private static final VectorSpecies<Integer> WEIGHT_INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(32 * L));
    /** The int lanes of one f32 vector (the exact sums' bits). */
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Float>> F_TYPE = F.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final Class<? extends Vector<Integer>> WEIGHT_INTS_TYPE = WEIGHT_INTS.vectorType();
    private static final int BLOCK = 4 * L;
    /**
     * Reduction steps summed in f32 before the exact integer mode moves them to int32: with centred levels of
     * magnitude at most 255 and int8 weights of at most 128, any partial sum of 512 products is an integer of at
     * most 16 711 680 < 2^24, which f32 holds exactly.
     */
    static final int EXACT_RUN = 512;
    /** Floats after the products that the exact integer mode uses per block of channels for a tile's f32 run sums. */
    static final int EXACT_TILE_FLOATS = 4 * BLOCK;

    private final int oc;
    private final int k;
    private final int pixels;
    /** Pixels rounded up to whole 4-pixel tiles. */
    private final int rows;
    /** Output channels rounded up to whole blocks: the row length of the pixel-major products. */
    private final int ocp;
    /** Each output pixel's index in the source layout (the rows past the last pixel repeat pixel 0). */
    private final int[] pixelAt;
    /** f32 weights [block][r][4L], or null in the exact integer mode. */
    private final float[] packed;
    /** int8 weights [block][r][4L] in the exact integer mode, else null. */
    private final byte[] packedLevels;

    /**
     * @param w weights [oc][k], k in the order of {@link TiledConvolution}'s offsets
     * @param rowStride the source layout's row length in pixels (the wide rows), or ow when gathered
     */
    SmallPlaneConvolution(float[] w, int oc, int oh, int ow, int k, int rowStride) {
        this(w, null, oc, oh, ow, k, rowStride);
    }

    /**
     * The exact integer mode (class comment): int8 weights [oc][k], inputs that are integers of magnitude at most
     * 255 (centred u8 levels); each output is {@code (float) D} for the exact int32 dot product D.
     */
    static SmallPlaneConvolution exactIntegers(byte[] w, int oc, int oh, int ow, int k, int rowStride) {
        return new SmallPlaneConvolution(null, w, oc, oh, ow, k, rowStride);
    }

    private SmallPlaneConvolution(float[] w, byte[] levels, int oc, int oh, int ow, int k, int rowStride) {
        this.oc = oc;
        this.k = k;
        this.pixels = oh * ow;
        this.rows = TiledLayout.smallPlaneRows(oh, ow);
        this.ocp = (oc + BLOCK - 1) / BLOCK * BLOCK;
        if (rows * ocp + ocp / BLOCK * EXACT_TILE_FLOATS > TiledLayout.smallPlaneProducts(oc, oh, ow)) {
            throw new IllegalStateException("TiledLayout's products scratch is too small for " + L + "-lane vectors");
        }
        this.pixelAt = new int[rows];
        for (int p = 0; p < pixels; p++) {
            pixelAt[p] = p / ow * rowStride + p % ow;
        }
        this.packed = w == null ? null : new float[ocp * k];
        this.packedLevels = levels == null ? null : new byte[ocp * k];
        for (int m = 0; m < oc; m++) {
            int block = m / BLOCK, lane = m % BLOCK;
            for (int r = 0; r < k; r++) {
                int at = (block * k + r) * BLOCK + lane;
                if (w != null) {
                    packed[at] = w[m * k + r];
                } else {
                    packedLevels[at] = levels[m * k + r];
                }
            }
        }
    }

    /** y[yBase + m * pixels + p] = the layer's output; products in scratch from {@code productsAt}. */
    void run(float[] src, int srcBase, int[] offsets, float[] y, int yBase, float[] scratch, int productsAt) {
        run(src, srcBase, offsets, y, yBase, scratch, productsAt, null);
    }

    /**
     * As above, split over {@code parallel} (null: the caller alone) by blocks of 4L output channels, then the
     * transpose into y by channels: every block gets the same arithmetic whatever the split, so the output is
     * bit-identical to one thread.
     */
    void run(float[] src, int srcBase, int[] offsets, float[] y, int yBase, float[] scratch, int productsAt,
            Parallel parallel) {
        int blocks = ocp / BLOCK;
        if (parallel == null) {
            blocks(src, srcBase, offsets, scratch, productsAt, 0, blocks);
            toPlanes(y, yBase, scratch, productsAt, 0, oc);
            return;
        }
        parallel.forRange(blocks, (from, to, worker) -> blocks(src, srcBase, offsets, scratch, productsAt, from, to));
        parallel.forRange(oc, (from, to, worker) -> toPlanes(y, yBase, scratch, productsAt, from, to));
    }

    /**
     * Blocks {@code [from, to)} of 4L output channels into the pixel-major products, in the exact integer mode by
     * {@link #exactBlocks} (a method of its own, so that each mode's loop compiles around its own tile).
     */
    private void blocks(float[] src, int srcBase, int[] offsets, float[] scratch, int productsAt, int from, int to) {
        if (packedLevels != null) {
            exactBlocks(src, srcBase, offsets, scratch, productsAt, from, to);
            return;
        }
        for (int block = from; block < to; block++) {
            for (int p = 0; p < rows; p += 4) {
                tile4x4(packed, block * k * BLOCK, src, srcBase, offsets, k, pixelAt[p], pixelAt[p + 1], pixelAt[p + 2],
                        pixelAt[p + 3], scratch, productsAt + p * ocp + block * BLOCK, ocp);
            }
        }
    }

    /**
     * The exact integer mode's blocks: per tile, runs of at most {@link #EXACT_RUN} reduction steps summed in f32
     * into the block's tile area after the products, each run added as int32 into the products (raw bits).
     */
    private void exactBlocks(float[] src, int srcBase, int[] offsets, float[] scratch, int productsAt, int from, int to) {
        for (int block = from; block < to; block++) {
            int tileAt = productsAt + rows * ocp + block * EXACT_TILE_FLOATS;
            for (int p = 0; p < rows; p += 4) {
                int at = productsAt + p * ocp + block * BLOCK;
                for (int r = 0; r < k; r += EXACT_RUN) {
                    int end = Math.min(k, r + EXACT_RUN);
                    tile4x4Levels(packedLevels, (block * k + r) * BLOCK, src, srcBase, offsets, r, end, pixelAt[p],
                            pixelAt[p + 1], pixelAt[p + 2], pixelAt[p + 3], scratch, tileAt);
                    addAsInts(scratch, tileAt, at, ocp, r == 0);
                }
            }
        }
    }

    /** Channels {@code [from, to)} of the pixel-major products into NCHW y: in the exact mode int32 D as (float) D. */
    private void toPlanes(float[] y, int yBase, float[] scratch, int productsAt, int from, int to) {
        for (int m = from; m < to; m++) {
            for (int p = 0; p < pixels; p++) {
                float v = scratch[productsAt + p * ocp + m];
                y[yBase + m * pixels + p] = packedLevels == null ? v : Float.floatToRawIntBits(v);
            }
        }
    }

    /**
     * Adds the 4 x 4L f32 run sums at {@code tileAt} (exact integers) as int32 to the products' raw bits at
     * {@code at} (rows {@code stride} apart); the first run of a tile replaces them.
     */
    private static void addAsInts(float[] scratch, int tileAt, int at, int stride, boolean first) {
        for (int row = 0; row < 4; row++) {
            for (int i = 0; i < BLOCK; i += L) {
                IntVector run = (IntVector) INTS_TYPE.cast(FloatVector.fromArray(F, scratch, tileAt + row * BLOCK + i)
                        .convertShape(VectorOperators.F2I, INTS, 0));
                int to = at + row * stride + i;
                if (!first) {
                    run = run.add((IntVector) INTS_TYPE.cast(FloatVector.fromArray(F, scratch, to)
                            .reinterpretShape(INTS, 0)));
                }
                ((FloatVector) F_TYPE.cast(run.reinterpretShape(F, 0))).intoArray(scratch, to);
            }
        }
    }

    /**
     * As {@link #tile4x4} over reduction steps {@code [from, to)} only, with int8 weights (packed [r][4L] from
     * wAt, the run's first step) widened in registers; writes the 4 x 4L sums to out[o ...] with rows 4L apart.
     */
    private static void tile4x4Levels(byte[] pk, int wAt, float[] src, int s, int[] off, int from, int to, int p0,
            int p1, int p2, int p3, float[] out, int o) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a22 = FloatVector.zero(F);
        FloatVector a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a32 = FloatVector.zero(F);
        FloatVector a33 = FloatVector.zero(F);
        for (int r = from, wp = wAt; r < to; r++, wp += BLOCK) {
            IntVector w0Ints = (IntVector) WEIGHT_INTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, pk, wp)
                    .convertShape(VectorOperators.B2I, WEIGHT_INTS, 0));
            FloatVector w0 = (FloatVector) F_TYPE.cast(w0Ints.convertShape(VectorOperators.I2F, F, 0));
            IntVector w1Ints = (IntVector) WEIGHT_INTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, pk, wp + L)
                    .convertShape(VectorOperators.B2I, WEIGHT_INTS, 0));
            FloatVector w1 = (FloatVector) F_TYPE.cast(w1Ints.convertShape(VectorOperators.I2F, F, 0));
            IntVector w2Ints = (IntVector) WEIGHT_INTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, pk, wp + 2 * L)
                    .convertShape(VectorOperators.B2I, WEIGHT_INTS, 0));
            FloatVector w2 = (FloatVector) F_TYPE.cast(w2Ints.convertShape(VectorOperators.I2F, F, 0));
            IntVector w3Ints = (IntVector) WEIGHT_INTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, pk, wp + 3 * L)
                    .convertShape(VectorOperators.B2I, WEIGHT_INTS, 0));
            FloatVector w3 = (FloatVector) F_TYPE.cast(w3Ints.convertShape(VectorOperators.I2F, F, 0));
            int at = s + off[r];
            FloatVector b = FloatVector.broadcast(F, src[at + p0]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            a02 = w2.fma(b, a02);
            a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(F, src[at + p1]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            a12 = w2.fma(b, a12);
            a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(F, src[at + p2]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            a22 = w2.fma(b, a22);
            a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(F, src[at + p3]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
            a32 = w2.fma(b, a32);
            a33 = w3.fma(b, a33);
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + L);
        a02.intoArray(out, o + 2 * L);
        a03.intoArray(out, o + 3 * L);
        a10.intoArray(out, o + BLOCK);
        a11.intoArray(out, o + BLOCK + L);
        a12.intoArray(out, o + BLOCK + 2 * L);
        a13.intoArray(out, o + BLOCK + 3 * L);
        a20.intoArray(out, o + 2 * BLOCK);
        a21.intoArray(out, o + 2 * BLOCK + L);
        a22.intoArray(out, o + 2 * BLOCK + 2 * L);
        a23.intoArray(out, o + 2 * BLOCK + 3 * L);
        a30.intoArray(out, o + 3 * BLOCK);
        a31.intoArray(out, o + 3 * BLOCK + L);
        a32.intoArray(out, o + 3 * BLOCK + 2 * L);
        a33.intoArray(out, o + 3 * BLOCK + 3 * L);
    }

    /**
     * 4 pixels (at p0..p3 in the source layout) x 4L channels (packed [r][4L] from wAt), written pixel-major to
     * out[o + pixel * stride + lane].
     */
    private static void tile4x4(float[] pk, int wAt, float[] src, int s, int[] off, int k, int p0, int p1, int p2, int p3,
            float[] out, int o, int stride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a22 = FloatVector.zero(F);
        FloatVector a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a32 = FloatVector.zero(F);
        FloatVector a33 = FloatVector.zero(F);
        for (int r = 0, wp = wAt; r < k; r++, wp += BLOCK) {
            FloatVector w0 = FloatVector.fromArray(F, pk, wp);
            FloatVector w1 = FloatVector.fromArray(F, pk, wp + L);
            FloatVector w2 = FloatVector.fromArray(F, pk, wp + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, pk, wp + 3 * L);
            int at = s + off[r];
            FloatVector b = FloatVector.broadcast(F, src[at + p0]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            a02 = w2.fma(b, a02);
            a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(F, src[at + p1]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            a12 = w2.fma(b, a12);
            a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(F, src[at + p2]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            a22 = w2.fma(b, a22);
            a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(F, src[at + p3]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
            a32 = w2.fma(b, a32);
            a33 = w3.fma(b, a33);
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + L);
        a02.intoArray(out, o + 2 * L);
        a03.intoArray(out, o + 3 * L);
        a10.intoArray(out, o + stride);
        a11.intoArray(out, o + stride + L);
        a12.intoArray(out, o + stride + 2 * L);
        a13.intoArray(out, o + stride + 3 * L);
        a20.intoArray(out, o + 2 * stride);
        a21.intoArray(out, o + 2 * stride + L);
        a22.intoArray(out, o + 2 * stride + 2 * L);
        a23.intoArray(out, o + 2 * stride + 3 * L);
        a30.intoArray(out, o + 3 * stride);
        a31.intoArray(out, o + 3 * stride + L);
        a32.intoArray(out, o + 3 * stride + 2 * L);
        a33.intoArray(out, o + 3 * stride + 3 * L);
    }
}
