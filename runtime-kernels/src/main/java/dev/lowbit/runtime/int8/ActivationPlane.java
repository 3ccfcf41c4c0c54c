package dev.lowbit.runtime.int8;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The prepass of {@link Int8Convolution}: the NHWC int8 input rewritten, padded with the zero point, as
 * unsigned-domain channel pairs {@code x[2p] | x[2p+1] << 16} per padded pixel and group, followed by one
 * channel sum per padded pixel and group. Layout in scratch: {@code [(py * paddedW + px) * groups + g] * pairs + p},
 * then at {@code sumsAt}: {@code [(py * paddedW + px) * groups + g]}. A pair is exactly two u8 values
 * zero-extended to 16 bits (little-endian), so one widening conversion builds 16 pairs. Stateless, thread-safe.
 */
final class ActivationPlane {
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    // Each species' exact class: conversion results, and byte loads that receive a call, are cast to it, so that C2
    // binds the calls on them without type profiles, which other kernels and models share (docs/int8-kernels.md,
    // "Conversions are cast to their exact class", "Byte and short loads that receive a call are cast too").
    private static final Class<? extends Vector<Byte>> BYTES_TYPE = BYTES.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final Class<? extends Vector<Short>> SHORTS_TYPE = SHORTS.vectorType();
    private static final int CHUNK = 32; // channels per vector step
    private static final int SUM_CHUNKS = 16; // 512 channels: low halves of the pair sums stay below 2^16

    private ActivationPlane() {
    }

    /** Fills padded rows {@code [pyFrom, pyTo)} (each row writes only its own pixels, so rows may fill in parallel). */
    static void fill(ConvGeometry g, QuantizedInput q, int pairs, byte[] in, int inOff, int[] plane, int sumsAt, int pyFrom, int pyTo) {
        int groups = g.groups();
        int pw = g.paddedW();
        int z = q.unsignedZeroPoint();
        int pixelInts = groups * pairs;
        for (int py = pyFrom; py < pyTo; py++) {
            int y = py - g.padTop();
            int rowPixel = py * pw;
            if (y < 0 || y >= g.inH()) {
                fillPadding(g, pairs, z, plane, sumsAt, rowPixel, pw);
                continue;
            }
            fillPadding(g, pairs, z, plane, sumsAt, rowPixel, g.padLeft());
            fillPadding(g, pairs, z, plane, sumsAt, rowPixel + g.padLeft() + g.inW(), g.padRight());
            int src = inOff + y * g.inW() * g.inChannels();
            int dst = (rowPixel + g.padLeft()) * pixelInts;
            int sums = sumsAt + (rowPixel + g.padLeft()) * groups;
            for (int x = 0; x < g.inW(); x++, src += g.inChannels(), dst += pixelInts, sums += groups) {
                for (int grp = 0; grp < groups; grp++) {
                    plane[sums + grp] = widenPairs(in, src + grp * g.inPerGroup(), g.inPerGroup(), q, plane, dst + grp * pairs);
                }
            }
        }
    }

    /**
     * The plane of an unpadded 1x1 layer ({@link PointwiseConvolution}): only the input pixels that are read,
     * in output order, so pixel {@code oy * outW + ox} holds input pixel {@code (oy * strideH, ox * strideW)};
     * same pair and sum layout as {@link #fill}. Fills pixels {@code [from, to)}.
     */
    static void fillPointwise(ConvGeometry g, QuantizedInput q, int pairs, byte[] in, int inOff, int[] plane, int sumsAt,
                              int from, int to) {
        int groups = g.groups();
        int pixelInts = groups * pairs;
        int ow = g.outW();
        for (int pixel = from; pixel < to; pixel++) {
            int oy = pixel / ow;
            int src = inOff + (oy * g.strideH() * g.inW() + (pixel - oy * ow) * g.strideW()) * g.inChannels();
            for (int grp = 0; grp < groups; grp++) {
                plane[sumsAt + pixel * groups + grp] = widenPairs(in, src + grp * g.inPerGroup(), g.inPerGroup(), q, plane,
                        pixel * pixelInts + grp * pairs);
            }
        }
    }

    /**
     * Widens {@code n} channels from {@code in[src]} into pairs at {@code plane[dst]}; returns their unsigned-domain
     * sum. The sum is taken on the pair ints: lane totals {@code lo + 65536 * hi}, one horizontal reduction per
     * {@value #SUM_CHUNKS} chunks, split back into halves (the low halves sum to at most 256 * 255 < 65536 there).
     */
    private static int widenPairs(byte[] in, int src, int n, QuantizedInput q, int[] plane, int dst) {
        byte flip = (byte) q.toUnsignedMask();
        int sum = 0;
        int c = 0;
        while (c < n) {
            IntVector acc = IntVector.zero(INTS);
            int end = Math.min(n, c + SUM_CHUNKS * CHUNK);
            for (; c + CHUNK <= end; c += CHUNK) {
                ByteVector b = ((ByteVector) BYTES_TYPE.cast(ByteVector.fromArray(BYTES, in, src + c)))
                        .lanewise(VectorOperators.XOR, flip);
                IntVector p = (IntVector) INTS_TYPE.cast(((ShortVector) SHORTS_TYPE.cast(b
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0)))
                        .reinterpretShape(INTS, 0));
                p.intoArray(plane, dst + c / 2);
                acc = p.add(acc);
            }
            if (c < end) {
                int rest = end - c;
                VectorMask<Byte> m = BYTES.indexInRange(0, rest);
                ByteVector b = ((ByteVector) BYTES_TYPE.cast(ByteVector.fromArray(BYTES, in, src + c, m)))
                        .lanewise(VectorOperators.XOR, flip, m);
                IntVector p = (IntVector) INTS_TYPE.cast(((ShortVector) SHORTS_TYPE.cast(b
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0)))
                        .reinterpretShape(INTS, 0));
                p.intoArray(plane, dst + c / 2, INTS.indexInRange(0, (rest + 1) / 2));
                acc = p.add(acc);
                c = end;
            }
            int total = acc.reduceLanes(VectorOperators.ADD);
            sum += (total & 0xFFFF) + (total >>> 16);
        }
        return sum;
    }

    /** {@code count} padding pixels from {@code firstPixel}: every channel is the zero point. */
    private static void fillPadding(ConvGeometry g, int pairs, int z, int[] plane, int sumsAt, int firstPixel, int count) {
        if (count == 0) {
            return;
        }
        int groups = g.groups();
        int pixelInts = groups * pairs;
        int from = firstPixel * pixelInts;
        Arrays.fill(plane, from, from + count * pixelInts, z | (z << 16));
        if ((g.inPerGroup() & 1) != 0) {
            // the missing channel of the last pair is 0, its packed weight is 0 too
            for (int i = from + pairs - 1; i < from + count * pixelInts; i += pairs) {
                plane[i] = z;
            }
        }
        Arrays.fill(plane, sumsAt + firstPixel * groups, sumsAt + (firstPixel + count) * groups, z * g.inPerGroup());
    }
}
