package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import dev.lowbit.runtime.pack.Int8WeightLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * int8 convolution (any kernel size, stride, padding, dilation and group count) with the requantization fused
 * into its epilogue. NHWC activations, weights in {@link Int8WeightLayout}. Stateless and thread-safe; the
 * caller passes a scratch array ({@link Int8ConvLayer#scratchInts()}), one per concurrent caller. Allocates
 * nothing per call (a call split over a {@link Parallel} pool allocates its two tasks).
 *
 * <p>How the inner loop works (the Vector API has no int8 dot product, so this emulates x86's pmaddwd):
 * a prepass writes the input, padded with the zero point, as 32-bit pairs {@code x[c] | x[c+1] << 16} in the
 * unsigned domain. For each pair the kernel broadcasts that int to 16 lanes, reinterprets it as 32 shorts and
 * multiplies them with 32 packed weights {@code w + 128} widened from bytes: one 16-bit multiply yields 32
 * exact products {@code (x * w') <= 65025}, two per int lane. Viewed as ints, lane {@code j} holds
 * {@code p = lo + 65536 * hi}. The kernel adds {@code p} into one accumulator and {@code p >>> 16} into
 * another; at the end {@code sum(lo) + sum(hi) = raw - 65535 * hiSum} in modular int32 arithmetic, exact
 * because the true result fits in int32 (see {@link ConvGeometry#MAX_REDUCTION}). Four ops per 32 MACs. A tile
 * of 4 output pixels by 32 output channels shares each widened weight vector four times and each broadcast
 * twice, with 16 independent accumulators.
 *
 * <p>Given a {@link Parallel} pool, a large layer is split over its threads; the results are bit-identical.
 *
 * <p>Unpadded 1x1 layers (pointwise convolutions, fully connected) take {@link PointwiseConvolution}: the same
 * arithmetic without the per-row and per-tap costs that dominate when the reduction is short.
 */
public final class Int8Convolution {
    private static final VectorSpecies<Byte> WEIGHT_BYTES = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final Class<? extends Vector<Short>> SHORTS_TYPE = SHORTS.vectorType();
    private static final int ROW = Int8WeightLayout.ROW_BYTES;
    private static final int LANES = Int8WeightLayout.OUT_BLOCK;
    /** Output pixels per register tile. */
    private static final int TILE = 4;

    private Int8Convolution() {
    }

    /** Runs the layer on one NHWC image, writing the next layer's quantized NHWC bytes. */
    public static void runQuantized(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff, int[] scratch) {
        runQuantized(layer, r, in, inOff, out, outOff, scratch, null);
    }

    /**
     * As {@link #runQuantized(Int8ConvLayer, Requantization, byte[], int, byte[], int, int[])}, split over
     * {@code parallel} when the layer is large enough ({@link Parallel#worthSplitting}); null runs on the caller.
     * The scratch must then hold {@link Int8ConvLayer#scratchInts(int)} for the pool's thread count.
     */
    public static void runQuantized(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff,
                                    int[] scratch, Parallel parallel) {
        r.requireQuantized();
        run(layer, r, in, inOff, out, null, outOff, scratch, parallel);
    }

    /** Runs the layer on one NHWC image, writing fp32 NHWC. */
    public static void runFloat(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff, int[] scratch) {
        runFloat(layer, r, in, inOff, out, outOff, scratch, null);
    }

    /** As {@link #runFloat(Int8ConvLayer, Requantization, byte[], int, float[], int, int[])}, split over {@code parallel}. */
    public static void runFloat(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff,
                                int[] scratch, Parallel parallel) {
        r.requireFloat();
        run(layer, r, in, inOff, null, out, outOff, scratch, parallel);
    }

    /**
     * The work splits in two phases with a barrier between them (the hand-off of {@link Parallel#forRange}): the
     * prepass by padded input rows, then the convolution by units of (group, output row, pair of 16-channel
     * output blocks), flattened in that order. A unit is exactly what the single-thread loop computes for that
     * row and those blocks (pairs start at even blocks, so the 2-block tiles pair up as in one thread), and each
     * worker parks its tile products in its own slot of scratch: the outputs are bit-identical.
     */
    private static void run(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, byte[] outB, float[] outF, int outOff,
                            int[] scratch, Parallel parallel) {
        ConvGeometry g = layer.geometry();
        boolean split = parallel != null && parallel.worthSplitting(g.macs());
        int workers = split ? parallel.threads() : 1;
        Bounds.convolution(g, r, scratch, layer.scratchInts(workers), workers, in, inOff,
                outB != null ? outB.length : outF.length, outOff);
        if (PointwiseConvolution.applies(g)) {
            PointwiseConvolution.run(layer, r, in, inOff, outB, outF, outOff, scratch, parallel, split);
            return;
        }
        int pairs = layer.layout().inPairs();
        int pixels = g.paddedH() * g.paddedW();
        int sumsAt = pixels * g.groups() * pairs;
        int rows = g.groups() * g.outH();
        int blockPairs = (layer.layout().outBlocks() + 1) / 2;
        if (!split) {
            ActivationPlane.fill(g, layer.input(), pairs, in, inOff, scratch, sumsAt, 0, g.paddedH());
            runUnits(layer, r, scratch, sumsAt, outB, outF, outOff, 0, rows * blockPairs, blockPairs, 0);
            return;
        }
        parallel.forRange(g.paddedH(), (from, to, w) -> ActivationPlane.fill(g, layer.input(), pairs, in, inOff, scratch, sumsAt, from, to));
        parallel.forRange(rows * blockPairs, (from, to, w) -> runUnits(layer, r, scratch, sumsAt, outB, outF, outOff, from, to, blockPairs, w));
    }

    /** Units {@code [from, to)} of (group, output row, block pair); worker {@code w}'s tile slot in scratch. */
    private static void runUnits(Int8ConvLayer layer, Requantization r, int[] plane, int sumsAt, byte[] outB, float[] outF,
                                 int outOff, int from, int to, int blockPairs, int w) {
        ConvGeometry g = layer.geometry();
        int blocks = layer.layout().outBlocks();
        int t = layer.tileScratchOffset() + w * Int8ConvLayer.TILE_INTS;
        for (int u = from; u < to; ) {
            int row = u / blockPairs;
            int p0 = u - row * blockPairs;
            int p1 = Math.min(blockPairs, p0 + (to - u));
            runRow(layer, r, row / g.outH(), row % g.outH(), plane, sumsAt, outB, outF, outOff, 2 * p0, Math.min(blocks, 2 * p1), t);
            u += p1 - p0;
        }
    }

    /** Output blocks {@code [b0, b1)} of one output row of one group: tiles of 4 pixels, then single pixels. */
    private static void runRow(Int8ConvLayer layer, Requantization r, int grp, int oy, int[] plane, int sumsAt,
                               byte[] outB, float[] outF, int outOff, int b0, int b1, int t) {
        ConvGeometry g = layer.geometry();
        Int8WeightLayout lay = layer.layout();
        int groups = g.groups();
        int pairs = lay.inPairs();
        int pixelInts = groups * pairs;
        int pw = g.paddedW();
        int ow = g.outW();
        int tapY = g.dilationH() * pw;
        int tapX = g.dilationW();
        int rowPixel = oy * g.strideH() * pw;
        int outPixel = oy * ow;
        int ox = 0;
        for (; ox + TILE <= ow; ox += TILE) {
            int px = rowPixel + ox * g.strideW();
            int sx = g.strideW();
            int s0 = windowSum(plane, sumsAt, groups, grp, px, g, tapY, tapX);
            int s1 = windowSum(plane, sumsAt, groups, grp, px + sx, g, tapY, tapX);
            int s2 = windowSum(plane, sumsAt, groups, grp, px + 2 * sx, g, tapY, tapX);
            int s3 = windowSum(plane, sumsAt, groups, grp, px + 3 * sx, g, tapY, tapX);
            int base = px * pixelInts + grp * pairs;
            int step = sx * pixelInts;
            int o = outOff + (outPixel + ox) * g.outChannels() + grp * g.outPerGroup();
            tile4(layer, r, grp, plane, base, step, s0, s1, s2, s3, outB, outF, o, g.outChannels(), b0, b1, t);
        }
        for (; ox < ow; ox++) {
            int px = rowPixel + ox * g.strideW();
            int s = windowSum(plane, sumsAt, groups, grp, px, g, tapY, tapX);
            int o = outOff + (outPixel + ox) * g.outChannels() + grp * g.outPerGroup();
            tile1(layer, r, grp, plane, px * pixelInts + grp * pairs, s, outB, outF, o, b0, b1, t);
        }
    }

    /** Sum of the unsigned-domain activations in one receptive field, padding taps included. */
    private static int windowSum(int[] plane, int sumsAt, int groups, int grp, int px, ConvGeometry g, int tapY, int tapX) {
        int s = 0;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                s += plane[sumsAt + (px + ky * tapY + kx * tapX) * groups + grp];
            }
        }
        return s;
    }

    /**
     * 4 output pixels ({@code step} ints apart in the plane), output channel blocks {@code [b0, b1)} of the group
     * ({@code b0} even); tile products in scratch at {@code t}.
     */
    private static void tile4(Int8ConvLayer layer, Requantization r, int grp, int[] plane, int base, int step,
                              int s0, int s1, int s2, int s3, byte[] outB, float[] outF, int o, int pixelOut, int b0, int b1, int t) {
        Int8WeightLayout lay = layer.layout();
        int opg = lay.outPerGroup();
        int ocBase = grp * opg;
        int b = b0;
        for (; b + 2 <= b1; b += 2) {
            tile4x2(layer, r, lay.offset(grp, b, 0, 0, 0), plane, base, step, ocBase + b * LANES,
                    s0, s1, s2, s3, outB, outF, o + b * LANES, pixelOut, Math.min(LANES, opg - (b + 1) * LANES), t);
        }
        for (; b < b1; b++) {
            int count = Math.min(LANES, opg - b * LANES);
            for (int j = 0; j < TILE; j++) {
                int s = j == 0 ? s0 : j == 1 ? s1 : j == 2 ? s2 : s3;
                block1(layer, r, lay.offset(grp, b, 0, 0, 0), plane, base + j * step, ocBase + b * LANES, s,
                        outB, outF, o + j * pixelOut + b * LANES, count, t);
            }
        }
    }

    private static void tile1(Int8ConvLayer layer, Requantization r, int grp, int[] plane, int base, int s,
                              byte[] outB, float[] outF, int o, int b0, int b1, int t) {
        Int8WeightLayout lay = layer.layout();
        int opg = lay.outPerGroup();
        for (int b = b0; b < b1; b++) {
            block1(layer, r, lay.offset(grp, b, 0, 0, 0), plane, base, grp * opg + b * LANES, s,
                    outB, outF, o + b * LANES, Math.min(LANES, opg - b * LANES), t);
        }
    }

    /** The hot loop: 4 pixels x 32 output channels; {@code count1} valid lanes in the second block. */
    private static void tile4x2(Int8ConvLayer layer, Requantization r, int wOff, int[] plane, int base, int step, int oc,
                                int s0, int s1, int s2, int s3, byte[] outB, float[] outF, int o, int pixelOut, int count1, int t) {
        ConvGeometry g = layer.geometry();
        byte[] w = layer.packedWeights;
        int pairs = layer.layout().inPairs();
        int blockBytes = layer.layout().blockBytes();
        int pixelInts = g.groups() * pairs;
        int tapY = g.dilationH() * g.paddedW() * pixelInts;
        int tapX = g.dilationW() * pixelInts;
        IntVector r00 = IntVector.zero(INTS), r01 = r00, r10 = r00, r11 = r00, r20 = r00, r21 = r00, r30 = r00, r31 = r00;
        IntVector h00 = r00, h01 = r00, h10 = r00, h11 = r00, h20 = r00, h21 = r00, h30 = r00, h31 = r00;
        int wo = wOff;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                int a0 = base + ky * tapY + kx * tapX;
                int a1 = a0 + step, a2 = a1 + step, a3 = a2 + step;
                for (int c = 0; c < pairs; c++, wo += ROW) {
                    ShortVector w0 = (ShortVector) SHORTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, w, wo)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0));
                    ShortVector w1 = (ShortVector) SHORTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, w, wo + blockBytes)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0));
                    ShortVector x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a0 + c])
                            .reinterpretShape(SHORTS, 0));
                    IntVector p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
                    r00 = p.add(r00);
                    h00 = p.lanewise(VectorOperators.LSHR, 16).add(h00);
                    p = (IntVector) INTS_TYPE.cast(x.mul(w1).reinterpretShape(INTS, 0));
                    r01 = p.add(r01);
                    h01 = p.lanewise(VectorOperators.LSHR, 16).add(h01);
                    x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a1 + c]).reinterpretShape(SHORTS, 0));
                    p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
                    r10 = p.add(r10);
                    h10 = p.lanewise(VectorOperators.LSHR, 16).add(h10);
                    p = (IntVector) INTS_TYPE.cast(x.mul(w1).reinterpretShape(INTS, 0));
                    r11 = p.add(r11);
                    h11 = p.lanewise(VectorOperators.LSHR, 16).add(h11);
                    x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a2 + c]).reinterpretShape(SHORTS, 0));
                    p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
                    r20 = p.add(r20);
                    h20 = p.lanewise(VectorOperators.LSHR, 16).add(h20);
                    p = (IntVector) INTS_TYPE.cast(x.mul(w1).reinterpretShape(INTS, 0));
                    r21 = p.add(r21);
                    h21 = p.lanewise(VectorOperators.LSHR, 16).add(h21);
                    x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a3 + c]).reinterpretShape(SHORTS, 0));
                    p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
                    r30 = p.add(r30);
                    h30 = p.lanewise(VectorOperators.LSHR, 16).add(h30);
                    p = (IntVector) INTS_TYPE.cast(x.mul(w1).reinterpretShape(INTS, 0));
                    r31 = p.add(r31);
                    h31 = p.lanewise(VectorOperators.LSHR, 16).add(h31);
                }
            }
        }
        // Exact products go through scratch: inlining eight vector epilogues here would exceed C2's node budget,
        // and a vector passed to a method that is not inlined is boxed (a 100x slowdown). For the same reason the
        // D = raw - 65535 * hi - comp - 128 * windowSum arithmetic is written out (exact modulo 2^32, |D| < 2^31).
        IntVector comp0 = IntVector.fromArray(INTS, layer.compensation, oc);
        IntVector comp1 = IntVector.fromArray(INTS, layer.compensation, oc + LANES);
        r00.sub(h00.lanewise(VectorOperators.LSHL, 16)).add(h00).sub(comp0).sub(128 * s0).intoArray(plane, t);
        r01.sub(h01.lanewise(VectorOperators.LSHL, 16)).add(h01).sub(comp1).sub(128 * s0).intoArray(plane, t + LANES);
        r10.sub(h10.lanewise(VectorOperators.LSHL, 16)).add(h10).sub(comp0).sub(128 * s1).intoArray(plane, t + 2 * LANES);
        r11.sub(h11.lanewise(VectorOperators.LSHL, 16)).add(h11).sub(comp1).sub(128 * s1).intoArray(plane, t + 3 * LANES);
        r20.sub(h20.lanewise(VectorOperators.LSHL, 16)).add(h20).sub(comp0).sub(128 * s2).intoArray(plane, t + 4 * LANES);
        r21.sub(h21.lanewise(VectorOperators.LSHL, 16)).add(h21).sub(comp1).sub(128 * s2).intoArray(plane, t + 5 * LANES);
        r30.sub(h30.lanewise(VectorOperators.LSHL, 16)).add(h30).sub(comp0).sub(128 * s3).intoArray(plane, t + 6 * LANES);
        r31.sub(h31.lanewise(VectorOperators.LSHL, 16)).add(h31).sub(comp1).sub(128 * s3).intoArray(plane, t + 7 * LANES);
        Epilogue.storeTile(plane, t, TILE, 2, r, oc, outB, outF, o, pixelOut, count1);
    }

    /** 1 pixel x 16 output channels: tails and the last odd block. */
    private static void block1(Int8ConvLayer layer, Requantization r, int wOff, int[] plane, int base, int oc, int s,
                               byte[] outB, float[] outF, int o, int count, int t) {
        ConvGeometry g = layer.geometry();
        byte[] w = layer.packedWeights;
        int pairs = layer.layout().inPairs();
        int pixelInts = g.groups() * pairs;
        int tapY = g.dilationH() * g.paddedW() * pixelInts;
        int tapX = g.dilationW() * pixelInts;
        IntVector raw = IntVector.zero(INTS), hi = raw;
        int wo = wOff;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                int a = base + ky * tapY + kx * tapX;
                for (int c = 0; c < pairs; c++, wo += ROW) {
                    ShortVector w0 = (ShortVector) SHORTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, w, wo)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0));
                    ShortVector x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a + c]).reinterpretShape(SHORTS, 0));
                    IntVector p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
                    raw = p.add(raw);
                    hi = p.lanewise(VectorOperators.LSHR, 16).add(hi);
                }
            }
        }
        IntVector comp = IntVector.fromArray(INTS, layer.compensation, oc);
        raw.sub(hi.lanewise(VectorOperators.LSHL, 16)).add(hi).sub(comp).sub(128 * s).intoArray(plane, t);
        Epilogue.store(plane, t, r, oc, outB, outF, o, count);
    }
}
