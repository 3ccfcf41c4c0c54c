package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
 * Immutable; {@link #run} is thread-safe with distinct buffers.
 */
final class FmaPointwise {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final int L = 16;
    /** Output channels per tile. */
    private static final int TILE = 8;
    /** Pixels per chunk of tiles whose epilogue runs together: 8 channels x 512 f32 sums, 16 KB, stay in L1. */
    private static final int CHUNK = 512;

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
        boolean pointwise = g.groups() == 1 && g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1
                && g.strideW() == 1 && g.padTop() == 0 && g.padLeft() == 0 && g.outH() == g.inH() && g.outW() == g.inW();
        return pointwise && g.outChannels() % TILE == 0 && g.outH() * g.outW() >= 2 * L
                && FmaLayout.largestPartialSum(g, oihw, 0) <= FmaLayout.EXACT_LIMIT;
    }

    /** The layer on this path, or null when it does not {@link #takes} it (one scan of the weights decides). */
    static FmaPointwise forLayer(ConvGeometry g, int zeroPoint, byte[] oihw) {
        return takes(g, oihw) ? new FmaPointwise(g, zeroPoint, oihw) : null;
    }

    private FmaPointwise(ConvGeometry g, int zeroPoint, byte[] oihw) {
        this.inChannels = g.inChannels();
        this.outChannels = g.outChannels();
        this.plane = g.outH() * g.outW();
        this.packed = new float[oihw.length];
        this.start = new float[outChannels];
        for (int o = 0; o < outChannels; o++) {
            long sum = 0;
            for (int c = 0; c < inChannels; c++) {
                byte w = oihw[o * inChannels + c];
                sum += w;
                packed[(o / TILE * inChannels + c) * TILE + o % TILE] = w;
            }
            start[o] = -zeroPoint * sum;
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
                for (int p = c0; p < c1; p += 2 * L) {
                    int at = Math.min(p, c1 - 2 * L);
                    tile(in, inOff + at, plane, inChannels, packed, m * inChannels, start, m, sums, m * plane + at);
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
        FloatVector a00 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m]);
        FloatVector a01 = a00;
        FloatVector a10 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m + 1]);
        FloatVector a11 = a10;
        FloatVector a20 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m + 2]);
        FloatVector a21 = a20;
        FloatVector a30 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m + 3]);
        FloatVector a31 = a30;
        FloatVector a40 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m + 4]);
        FloatVector a41 = a40;
        FloatVector a50 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m + 5]);
        FloatVector a51 = a50;
        FloatVector a60 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m + 6]);
        FloatVector a61 = a60;
        FloatVector a70 = FloatVector.broadcast(FloatVector.SPECIES_512, start[m + 7]);
        FloatVector a71 = a70;
        for (int c = 0, at = s, p = pBase; c < k; c++, at += plane, p += TILE) {
            FloatVector v0 = (FloatVector) ByteVector.fromArray(BYTES, in, at)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0).convert(VectorOperators.I2F, 0);
            FloatVector v1 = (FloatVector) ByteVector.fromArray(BYTES, in, at + L)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0).convert(VectorOperators.I2F, 0);
            FloatVector w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p]);
            a00 = v0.fma(w, a00);
            a01 = v1.fma(w, a01);
            w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p + 1]);
            a10 = v0.fma(w, a10);
            a11 = v1.fma(w, a11);
            w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p + 2]);
            a20 = v0.fma(w, a20);
            a21 = v1.fma(w, a21);
            w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p + 3]);
            a30 = v0.fma(w, a30);
            a31 = v1.fma(w, a31);
            w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p + 4]);
            a40 = v0.fma(w, a40);
            a41 = v1.fma(w, a41);
            w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p + 5]);
            a50 = v0.fma(w, a50);
            a51 = v1.fma(w, a51);
            w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p + 6]);
            a60 = v0.fma(w, a60);
            a61 = v1.fma(w, a61);
            w = FloatVector.broadcast(FloatVector.SPECIES_512, pk[p + 7]);
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
}
