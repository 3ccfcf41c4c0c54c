package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 1x1, stride-1, unpadded layers of {@link FmaConvolution}, reading the NCHW u8 levels themselves: a tile widens
 * two 16-pixel runs of one input channel to f32 in registers, instead of a centring pass writing the whole input as
 * f32 first. Why: on 1x1 layers that pass is as large as the product's input, and on squeeze layers (many inputs, few
 * outputs) it cost more than the product (face-detection's fire3 squeeze, 1x1 64 -> 8 at 75x75 in two runs of 32
 * inputs: 123 us as int8 on FMA against 44 for the same f32 layer; 79 us after this path).
 *
 * <p>Exactness: each accumulator of output channel o starts at {@code -z * sum_c w[o][c]} and adds {@code w * q} for
 * the raw levels q, so it ends at the centred sum D of {@link FmaConvolution}. Every partial sum is an integer of
 * magnitude at most {@code 255 * sum_c |w[o][c]|} (the start plus the raw products taken so far is the centred sum of
 * the channels taken minus z times the weights of the rest), and {@link #takes} requires that bound to be at most
 * 2^24, so f32 holds each one exactly: the outputs are bit-identical to the centred path's (FmaConvolutionTest).
 * The epilogue runs per chunk of tiles from {@code sums} while their sums are in L1 ({@link Epilogue#storeChannelRun}).
 * Chunks that tiles of 3 x 16 pixels cover with no more work than 2 x 16 take the wider tile ({@link #tile8x3}: 24
 * FMAs per input channel for 3 widened loads and 8 broadcasts): 0.80-0.89x the time on face-detection's fire-module
 * shapes (JMH {@code PointwiseLayers}, 2026-12-04).
 *
 * <p>A Concat of differently quantized branches ({@link #scaledRuns}, models without {@code exactInt8}): each run of
 * input channels has its own zero point in the start and its weights scaled per output channel to one grid, so one
 * pass sums every run, as f32 sums rounded where the scaled products are not integers, instead of an exact pass per run
 * and a combine (face-detection's squeeze layers: within 0.05 of the exact combination on the photos,
 * {@code MergedRunsOnSharedModelsTest}).
 * Immutable; {@link #run} is thread-safe with distinct buffers.
 */
final class FmaPointwise {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Float>> FLOATS_TYPE = FLOATS.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final int L = 16;
    /** Output channels per tile. */
    private static final int TILE = 8;
    /**
     * Pixels per chunk of tiles whose epilogue runs together: 8 channels x 480 f32 sums, 15 KB, stay in L1; 10 tiles
     * of 3 x 16 pixels or 15 of 2 x 16.
     */
    private static final int CHUNK = 480;

    private final int inChannels;
    private final int outChannels;
    private final int plane;
    /** Weights as f32, per block of 8 output channels {@code [c][8]}. */
    private final float[] packed;
    /** Per output channel: {@code -z * sum_c w[o][c]}, where every accumulator starts. */
    private final float[] start;

    /**
     * One group, 1x1, stride 1, no padding, whole tiles of 8 output channels, at least one tile of 2 x 16 pixels,
     * and exact from raw levels ({@code 255 * max_o sum |w[o]| <= 2^24}).
     */
    static boolean takes(ConvGeometry g, byte[] oihw) {
        return FmaLayout.pointwiseShape(g) && FmaLayout.largestPartialSum(g, oihw, 0) <= FmaLayout.EXACT_LIMIT;
    }

    /** The layer on this path, or null when it does not {@link #takes} it (one scan of the weights decides). */
    static FmaPointwise forLayer(ConvGeometry g, int zeroPoint, byte[] oihw) {
        if (!takes(g, oihw)) {
            return null;
        }
        float[] ones = new float[g.outChannels()];
        Arrays.fill(ones, 1f);
        return new FmaPointwise(g, oihw, new int[] {0}, new int[] {zeroPoint}, ones);
    }

    /**
     * A layer whose input channels come in runs with their own grids (a Concat of differently quantized branches):
     * run j starts at input channel {@code runStarts[j]}, has zero point {@code zeroPoints[j]}, and its weights for
     * output o are scaled by {@code factors[j * outChannels + o]}, so the sums are {@code sum_j factor_j * D_j}
     * of the runs' exact dot products D_j, rounded (the scaled weights are not integers). Requires {@link FmaLayout#pointwiseShape}.
     */
    static FmaPointwise scaledRuns(ConvGeometry g, byte[] oihw, int[] runStarts, int[] zeroPoints, float[] factors) {
        if (!FmaLayout.pointwiseShape(g)) {
            throw new IllegalArgumentException(g + " is not a 1x1 stride-1 unpadded layer of whole 8-channel tiles");
        }
        return new FmaPointwise(g, oihw, runStarts, zeroPoints, factors);
    }

    /**
     * Packs {@code w * factor} per block of 8 outputs; each accumulator starts at {@code -sum_j z_j * sum_(c in j)
     * packed[o][c]}, in double from the packed (rounded) weights, so that adding {@code packed * q} for the raw
     * levels q ends at the centred sum. One run with factor 1: integers, the start {@code -z * sum_c w[o][c]} exact.
     */
    private FmaPointwise(ConvGeometry g, byte[] oihw, int[] runStarts, int[] zeroPoints, float[] factors) {
        this.inChannels = g.inChannels();
        this.outChannels = g.outChannels();
        this.plane = g.outH() * g.outW();
        int runs = runStarts.length;
        if (runs == 0 || zeroPoints.length != runs || factors.length != runs * outChannels || runStarts[0] != 0
                || oihw.length != outChannels * inChannels) {
            throw new IllegalArgumentException(runs + " runs from " + Arrays.toString(runStarts) + " with "
                    + zeroPoints.length + " zero points and " + factors.length + " factors for " + outChannels
                    + " outputs, " + oihw.length + " weights for " + inChannels + " inputs");
        }
        this.packed = new float[oihw.length];
        this.start = new float[outChannels];
        for (int o = 0; o < outChannels; o++) {
            double begin = 0;
            for (int j = 0; j < runs; j++) {
                int end = j + 1 < runs ? runStarts[j + 1] : inChannels;
                if (end <= runStarts[j] || end > inChannels) {
                    throw new IllegalArgumentException("runs from " + Arrays.toString(runStarts)
                            + " are not increasing within " + inChannels + " input channels");
                }
                double sum = 0;
                for (int c = runStarts[j]; c < end; c++) {
                    float w = oihw[o * inChannels + c] * factors[j * outChannels + o];
                    sum += w;
                    packed[(o / TILE * inChannels + c) * TILE + o % TILE] = w;
                }
                begin -= zeroPoints[j] * sum;
            }
            start[o] = (float) begin;
        }
    }

    /**
     * As {@link FmaConvolution#run}: NCHW levels at {@code in[inOff]} to levels in {@code outB} or, with it null,
     * f32 in {@code outF}, at {@code outOff}; {@code sums} holds at least the output's length. Split over
     * {@code parallel} by ranges of pixels when it is worth it and each thread gets whole tiles; null runs on the
     * caller.
     */
    void run(byte[] in, int inOff, Requantization r, byte[] outB, float[] outF, int outOff, float[] sums,
            Parallel parallel) {
        long macs = (long) plane * inChannels * outChannels;
        if (parallel != null && plane >= 2 * L * parallel.threads()
                && parallel.worthSplitting(macs, (long) plane * (inChannels + outChannels))) {
            parallel.forRange(plane, (from, to, worker) -> pixels(in, inOff, r, outB, outF, outOff, sums, from, to));
            return;
        }
        pixels(in, inOff, r, outB, outF, outOff, sums, 0, plane);
    }

    /**
     * Pixels {@code [from, to)} (at least 2 x 16) of every output channel, in chunks of about {@value #CHUNK} pixels:
     * the tiles' exact sums, then the epilogue of the chunk's 8 channels while they are in L1 (an epilogue call per
     * tile made layers of 16 inputs slower than the centring path: the tile has only 16 steps). A chunk's tail reruns
     * its last whole tile shifted back to end at the chunk's end: the same arithmetic, so the same values, and never
     * before {@code from}.
     */
    private void pixels(byte[] in, int inOff, Requantization r, byte[] outB, float[] outF, int outOff, float[] sums,
            int from, int to) {
        for (int m = 0; m < outChannels; m += TILE) {
            for (int c0 = from; c0 < to; ) {
                int c1 = to - c0 < CHUNK + 2 * L ? to : c0 + CHUNK;
                int len = c1 - c0;
                if (len >= 3 * L && covered(len, 3 * L) <= covered(len, 2 * L)) {
                    for (int p = c0; p < c1; p += 3 * L) {
                        int at = Math.min(p, c1 - 3 * L);
                        tile8x3(in, inOff + at, plane, inChannels, packed, m * inChannels, start, m, sums, m * plane + at);
                    }
                } else {
                    for (int p = c0; p < c1; p += 2 * L) {
                        int at = Math.min(p, c1 - 2 * L);
                        tile(in, inOff + at, plane, inChannels, packed, m * inChannels, start, m, sums, m * plane + at);
                    }
                }
                for (int o = m; o < m + TILE; o++) {
                    Epilogue.storeChannelRun(sums, o * plane + c0, c1 - c0, r, o, outB, outF, outOff + o * plane + c0);
                }
                c0 = c1;
            }
        }
    }

    /**
     * 8 output channels (from {@code m}) x 32 pixels: the exact sums into {@code sums[d + j * plane ..]}. Input
     * channel c's 32 levels are at {@code in[s + c * plane ..]}; weights {@code pk[pBase + c * 8 + j]}.
     */
    private static void tile(byte[] in, int s, int plane, int k, float[] pk, int pBase, float[] start, int m,
            float[] sums, int d) {
        FloatVector a00 = FloatVector.broadcast(FLOATS, start[m]);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.broadcast(FLOATS, start[m + 1]);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.broadcast(FLOATS, start[m + 2]);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.broadcast(FLOATS, start[m + 3]);
        FloatVector a31 = a30;
        FloatVector a40 = FloatVector.broadcast(FLOATS, start[m + 4]);
        FloatVector a41 = a40;
        FloatVector a50 = FloatVector.broadcast(FLOATS, start[m + 5]);
        FloatVector a51 = a50;
        FloatVector a60 = FloatVector.broadcast(FLOATS, start[m + 6]);
        FloatVector a61 = a60;
        FloatVector a70 = FloatVector.broadcast(FLOATS, start[m + 7]);
        FloatVector a71 = a70;
        for (int c = 0, at = s, p = pBase; c < k; c++, at += plane, p += TILE) {
            IntVector v0Ints = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, in, at)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector v0 = (FloatVector) FLOATS_TYPE.cast(v0Ints.convertShape(VectorOperators.I2F, FLOATS, 0));
            IntVector v1Ints = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, in, at + L)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector v1 = (FloatVector) FLOATS_TYPE.cast(v1Ints.convertShape(VectorOperators.I2F, FLOATS, 0));
            FloatVector w = FloatVector.broadcast(FLOATS, pk[p]);
            a00 = v0.fma(w, a00);
            a01 = v1.fma(w, a01);
            w = FloatVector.broadcast(FLOATS, pk[p + 1]);
            a10 = v0.fma(w, a10);
            a11 = v1.fma(w, a11);
            w = FloatVector.broadcast(FLOATS, pk[p + 2]);
            a20 = v0.fma(w, a20);
            a21 = v1.fma(w, a21);
            w = FloatVector.broadcast(FLOATS, pk[p + 3]);
            a30 = v0.fma(w, a30);
            a31 = v1.fma(w, a31);
            w = FloatVector.broadcast(FLOATS, pk[p + 4]);
            a40 = v0.fma(w, a40);
            a41 = v1.fma(w, a41);
            w = FloatVector.broadcast(FLOATS, pk[p + 5]);
            a50 = v0.fma(w, a50);
            a51 = v1.fma(w, a51);
            w = FloatVector.broadcast(FLOATS, pk[p + 6]);
            a60 = v0.fma(w, a60);
            a61 = v1.fma(w, a61);
            w = FloatVector.broadcast(FLOATS, pk[p + 7]);
            a70 = v0.fma(w, a70);
            a71 = v1.fma(w, a71);
        }
        a00.intoArray(sums, d);
        a01.intoArray(sums, d + L);
        a10.intoArray(sums, d + plane);
        a11.intoArray(sums, d + plane + L);
        a20.intoArray(sums, d + 2 * plane);
        a21.intoArray(sums, d + 2 * plane + L);
        a30.intoArray(sums, d + 3 * plane);
        a31.intoArray(sums, d + 3 * plane + L);
        a40.intoArray(sums, d + 4 * plane);
        a41.intoArray(sums, d + 4 * plane + L);
        a50.intoArray(sums, d + 5 * plane);
        a51.intoArray(sums, d + 5 * plane + L);
        a60.intoArray(sums, d + 6 * plane);
        a61.intoArray(sums, d + 6 * plane + L);
        a70.intoArray(sums, d + 7 * plane);
        a71.intoArray(sums, d + 7 * plane + L);
    }

    /** Pixels {@code len} rounded up to whole tiles of {@code width}: the work a run of such tiles does. */
    private static int covered(int len, int width) {
        return (len + width - 1) / width * width;
    }

    /**
     * As {@link #tile} for 8 output channels x 48 pixels (24 accumulators: 3 widened loads and 8 broadcasts feed 24
     * FMAs), for chunks that 3-vector tiles cover with no more work than 2-vector ones; the f32 tiles gain 8-10% the
     * same way ({@code TiledConvolution}).
     */
    private static void tile8x3(byte[] in, int s, int plane, int k, float[] pk, int pBase, float[] start, int m,
            float[] sums, int d) {
        FloatVector a00 = FloatVector.broadcast(FLOATS, start[m]);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a10 = FloatVector.broadcast(FLOATS, start[m + 1]);
        FloatVector a11 = a10;
        FloatVector a12 = a10;
        FloatVector a20 = FloatVector.broadcast(FLOATS, start[m + 2]);
        FloatVector a21 = a20;
        FloatVector a22 = a20;
        FloatVector a30 = FloatVector.broadcast(FLOATS, start[m + 3]);
        FloatVector a31 = a30;
        FloatVector a32 = a30;
        FloatVector a40 = FloatVector.broadcast(FLOATS, start[m + 4]);
        FloatVector a41 = a40;
        FloatVector a42 = a40;
        FloatVector a50 = FloatVector.broadcast(FLOATS, start[m + 5]);
        FloatVector a51 = a50;
        FloatVector a52 = a50;
        FloatVector a60 = FloatVector.broadcast(FLOATS, start[m + 6]);
        FloatVector a61 = a60;
        FloatVector a62 = a60;
        FloatVector a70 = FloatVector.broadcast(FLOATS, start[m + 7]);
        FloatVector a71 = a70;
        FloatVector a72 = a70;
        for (int c = 0, at = s, p = pBase; c < k; c++, at += plane, p += TILE) {
            IntVector v0Ints = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, in, at)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector v0 = (FloatVector) FLOATS_TYPE.cast(v0Ints.convertShape(VectorOperators.I2F, FLOATS, 0));
            IntVector v1Ints = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, in, at + L)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector v1 = (FloatVector) FLOATS_TYPE.cast(v1Ints.convertShape(VectorOperators.I2F, FLOATS, 0));
            IntVector v2Ints = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, in, at + 2 * L)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            FloatVector v2 = (FloatVector) FLOATS_TYPE.cast(v2Ints.convertShape(VectorOperators.I2F, FLOATS, 0));
            FloatVector w = FloatVector.broadcast(FLOATS, pk[p]);
            a00 = v0.fma(w, a00);
            a01 = v1.fma(w, a01);
            a02 = v2.fma(w, a02);
            w = FloatVector.broadcast(FLOATS, pk[p + 1]);
            a10 = v0.fma(w, a10);
            a11 = v1.fma(w, a11);
            a12 = v2.fma(w, a12);
            w = FloatVector.broadcast(FLOATS, pk[p + 2]);
            a20 = v0.fma(w, a20);
            a21 = v1.fma(w, a21);
            a22 = v2.fma(w, a22);
            w = FloatVector.broadcast(FLOATS, pk[p + 3]);
            a30 = v0.fma(w, a30);
            a31 = v1.fma(w, a31);
            a32 = v2.fma(w, a32);
            w = FloatVector.broadcast(FLOATS, pk[p + 4]);
            a40 = v0.fma(w, a40);
            a41 = v1.fma(w, a41);
            a42 = v2.fma(w, a42);
            w = FloatVector.broadcast(FLOATS, pk[p + 5]);
            a50 = v0.fma(w, a50);
            a51 = v1.fma(w, a51);
            a52 = v2.fma(w, a52);
            w = FloatVector.broadcast(FLOATS, pk[p + 6]);
            a60 = v0.fma(w, a60);
            a61 = v1.fma(w, a61);
            a62 = v2.fma(w, a62);
            w = FloatVector.broadcast(FLOATS, pk[p + 7]);
            a70 = v0.fma(w, a70);
            a71 = v1.fma(w, a71);
            a72 = v2.fma(w, a72);
        }
        a00.intoArray(sums, d);
        a01.intoArray(sums, d + L);
        a02.intoArray(sums, d + 2 * L);
        a10.intoArray(sums, d + plane);
        a11.intoArray(sums, d + plane + L);
        a12.intoArray(sums, d + plane + 2 * L);
        a20.intoArray(sums, d + 2 * plane);
        a21.intoArray(sums, d + 2 * plane + L);
        a22.intoArray(sums, d + 2 * plane + 2 * L);
        a30.intoArray(sums, d + 3 * plane);
        a31.intoArray(sums, d + 3 * plane + L);
        a32.intoArray(sums, d + 3 * plane + 2 * L);
        a40.intoArray(sums, d + 4 * plane);
        a41.intoArray(sums, d + 4 * plane + L);
        a42.intoArray(sums, d + 4 * plane + 2 * L);
        a50.intoArray(sums, d + 5 * plane);
        a51.intoArray(sums, d + 5 * plane + L);
        a52.intoArray(sums, d + 5 * plane + 2 * L);
        a60.intoArray(sums, d + 6 * plane);
        a61.intoArray(sums, d + 6 * plane + L);
        a62.intoArray(sums, d + 6 * plane + 2 * L);
        a70.intoArray(sums, d + 7 * plane);
        a71.intoArray(sums, d + 7 * plane + L);
        a72.intoArray(sums, d + 7 * plane + 2 * L);
    }
}
