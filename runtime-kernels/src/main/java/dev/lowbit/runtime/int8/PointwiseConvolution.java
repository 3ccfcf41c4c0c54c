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
 * The 1x1, unpadded case of {@link Int8Convolution} (pointwise layers, fully connected): the same arithmetic
 * (see that class), bit-identical results, fewer per-tile costs. Without padding and with one tap, an output
 * pixel reads exactly one input pixel, so the prepass writes only the pixels that are read, in output order
 * ({@link ActivationPlane#fillPointwise}), and the layer becomes a matrix product over {@code outH * outW}
 * pixels: tiles of 4 pixels run across output rows (no per-row remainder), the window sum is the pixel's
 * channel sum, and the tile loop has no tap loops. Stateless and thread-safe.
 *
 * <p>Work units for the parallel split are (group, chunk of {@value #CHUNK} pixels, pair of 16-channel output
 * blocks); every unit writes its own outputs, and each output is the same exact integer put through the same
 * epilogue whichever unit computes it, so the split is bit-identical.
 */
final class PointwiseConvolution {
    private static final VectorSpecies<Byte> WEIGHT_BYTES = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final Class<? extends Vector<Short>> SHORTS_TYPE = SHORTS.vectorType();
    private static final int ROW = Int8WeightLayout.ROW_BYTES;
    private static final int LANES = Int8WeightLayout.OUT_BLOCK;
    private static final int TILE = 4;
    /** Ints of one tile's exact sums; a worker's scratch slot ({@link Int8ConvLayer#TILE_INTS}) holds two. */
    private static final int TILE_SLOT = TILE * 2 * LANES;
    /** Pixels per work unit; a multiple of the tile, so only the last chunk has a remainder. */
    static final int CHUNK = 64;

    private PointwiseConvolution() {
    }

    /** True when the layer can take this path: a 1x1 kernel and no padding (stride and groups are free). */
    static boolean applies(ConvGeometry g) {
        return g.kernelH() == 1 && g.kernelW() == 1
                && g.padTop() == 0 && g.padLeft() == 0 && g.padBottom() == 0 && g.padRight() == 0;
    }

    /** Same contract as {@code Int8Convolution.run} after its checks; {@code split} runs the two phases on {@code parallel}. */
    static void run(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, byte[] outB, float[] outF, int outOff,
                    int[] scratch, Parallel parallel, boolean split) {
        ConvGeometry g = layer.geometry();
        int pairs = layer.layout().inPairs();
        int pixels = g.outH() * g.outW();
        int sumsAt = pixels * g.groups() * pairs;
        int chunks = chunks(pixels);
        int blockPairs = (layer.layout().outBlocks() + 1) / 2;
        int units = g.groups() * chunks * blockPairs;
        if (!split) {
            // Filling the whole plane first measured faster than filling each chunk just before its tiles (63.9
            // against 54.9 GMAC per CPU-second on 1x1 C64, one JVM), although the chunk's pairs would be in L1.
            ActivationPlane.fillPointwise(g, layer.input(), pairs, in, inOff, scratch, sumsAt, 0, pixels);
            runUnits(layer, r, scratch, sumsAt, outB, outF, outOff, 0, units, chunks, blockPairs, 0);
            return;
        }
        parallel.forRange(pixels, (from, to, w) -> ActivationPlane.fillPointwise(g, layer.input(), pairs, in, inOff, scratch, sumsAt, from, to));
        parallel.forRange(units, (from, to, w) -> runUnits(layer, r, scratch, sumsAt, outB, outF, outOff, from, to, chunks, blockPairs, w));
    }

    /** Chunks of {@value #CHUNK} pixels; the last one takes the remainder (so it has at least a tile when pixels >= 4). */
    private static int chunks(int pixels) {
        return Math.max(1, pixels / CHUNK);
    }

    /** Units {@code [from, to)} of (group, chunk, block pair), in that order; worker {@code w}'s tile slot. */
    private static void runUnits(Int8ConvLayer layer, Requantization r, int[] plane, int sumsAt, byte[] outB, float[] outF,
                                 int outOff, int from, int to, int chunks, int blockPairs, int w) {
        ConvGeometry g = layer.geometry();
        int pixels = g.outH() * g.outW();
        int blocks = layer.layout().outBlocks();
        int t = layer.tileScratchOffset() + w * Int8ConvLayer.TILE_INTS;
        for (int u = from; u < to; ) {
            int gc = u / blockPairs;
            int p0 = u - gc * blockPairs;
            int p1 = Math.min(blockPairs, p0 + (to - u));
            int grp = gc / chunks;
            int chunk = gc - grp * chunks;
            int px0 = chunk * CHUNK;
            int px1 = chunk == chunks - 1 ? pixels : px0 + CHUNK;
            runChunk(layer, r, grp, plane, sumsAt, outB, outF, outOff, px0, px1, 2 * p0, Math.min(blocks, 2 * p1), t);
            u += p1 - p0;
        }
    }

    /** Pixels {@code [px0, px1)} of one group, output blocks {@code [b0, b1)} ({@code b0} even). */
    private static void runChunk(Int8ConvLayer layer, Requantization r, int grp, int[] plane, int sumsAt, byte[] outB, float[] outF,
                                 int outOff, int px0, int px1, int b0, int b1, int t) {
        ConvGeometry g = layer.geometry();
        Int8WeightLayout lay = layer.layout();
        int groups = g.groups();
        int pairs = lay.inPairs();
        int pixelInts = groups * pairs;
        int opg = lay.outPerGroup();
        int oc0 = grp * opg;
        int pixelOut = g.outChannels();
        int b = b0;
        for (; b + 2 <= b1; b += 2) {
            int wOff = lay.offset(grp, b, 0, 0, 0);
            int oc = oc0 + b * LANES;
            int count1 = Math.min(LANES, opg - (b + 1) * LANES);
            // Two tile slots in turn: a tile's epilogue runs after the next tile's loop, so it reads back exact sums
            // stored long before instead of right after the stores (measured 6-11% faster on 1x1 C64 / C128).
            int px = px0;
            int pending = -1;
            for (; px + TILE <= px1; px += TILE) {
                int slot = pending == t ? t + TILE_SLOT : t;
                int s = sumsAt + px * groups + grp;
                tile4x2(layer, wOff, plane, px * pixelInts + grp * pairs, pixelInts, oc,
                        plane[s], plane[s + groups], plane[s + 2 * groups], plane[s + 3 * groups], slot);
                if (pending >= 0) {
                    epilogue(plane, pending, r, oc, outB, outF, outOff + (px - TILE) * pixelOut + oc, pixelOut, count1);
                }
                pending = slot;
            }
            if (pending >= 0) {
                epilogue(plane, pending, r, oc, outB, outF, outOff + (px - TILE) * pixelOut + oc, pixelOut, count1);
            }
            for (; px < px1; px++) {
                for (int k = b; k < b + 2; k++) {
                    single(layer, r, lay.offset(grp, k, 0, 0, 0), plane, px * pixelInts + grp * pairs, oc0 + k * LANES,
                            plane[sumsAt + px * groups + grp], outB, outF, outOff + px * pixelOut + oc0 + k * LANES,
                            Math.min(LANES, opg - k * LANES), t);
                }
            }
        }
        if (b < b1) {
            // the odd last block of the group (all of it in layers of at most 16 output channels): 4-pixel tiles
            // of one block, then single pixels
            int count = Math.min(LANES, opg - b * LANES);
            int wOff = lay.offset(grp, b, 0, 0, 0);
            int oc = oc0 + b * LANES;
            int px = px0;
            for (; px + TILE <= px1; px += TILE) {
                int s = sumsAt + px * groups + grp;
                tile4x1(layer, wOff, plane, px * pixelInts + grp * pairs, pixelInts, oc,
                        plane[s], plane[s + groups], plane[s + 2 * groups], plane[s + 3 * groups], t);
                Epilogue.storeTile(plane, t, TILE, 1, r, oc, outB, outF, outOff + px * pixelOut + oc, pixelOut, count);
            }
            for (; px < px1; px++) {
                single(layer, r, wOff, plane, px * pixelInts + grp * pairs, oc, plane[sumsAt + px * groups + grp], outB,
                        outF, outOff + px * pixelOut + oc, count, t);
            }
        }
    }

    /** The epilogue of one 4x2 tile: the flat quantized form when both blocks are full (without PReLU), else the general one. */
    private static void epilogue(int[] d, int dOff, Requantization r, int oc, byte[] outB, float[] outF, int o, int pixelOut, int count1) {
        if (outB != null && count1 == LANES && r.slope == null) {
            Epilogue.storeTile4x2(d, dOff, r, oc, outB, o, pixelOut);
        } else {
            Epilogue.storeTile(d, dOff, TILE, 2, r, oc, outB, outF, o, pixelOut, count1);
        }
    }

    /**
     * The hot loop: 4 consecutive pixels ({@code step} ints apart) x 32 output channels, as {@code Int8Convolution.tile4x2};
     * stores the exact sums at {@code t}, pixel {@code j} block {@code b} at {@code t + (2 * j + b) * 16}.
     */
    private static void tile4x2(Int8ConvLayer layer, int wOff, int[] plane, int base, int step, int oc,
                                int s0, int s1, int s2, int s3, int t) {
        byte[] w = layer.packedWeights;
        int pairs = layer.layout().inPairs();
        int blockBytes = layer.layout().blockBytes();
        IntVector r00 = IntVector.zero(INTS), r01 = r00, r10 = r00, r11 = r00, r20 = r00, r21 = r00, r30 = r00, r31 = r00;
        IntVector h00 = r00, h01 = r00, h10 = r00, h11 = r00, h20 = r00, h21 = r00, h30 = r00, h31 = r00;
        int a0 = base, a1 = a0 + step, a2 = a1 + step, a3 = a2 + step;
        int wo = wOff;
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
        // As in Int8Convolution: D = raw - 65535 * hi - comp - 128 * windowSum, written out (no vector crosses a call).
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
    }

    /**
     * 4 consecutive pixels x 16 output channels (one block), as {@link #tile4x2} with one weight vector per pair;
     * pixel {@code j}'s exact sums at {@code t + 16 * j}. Before it, a layer of at most 16 output channels (a 3x3
     * RGB first layer on gathered patches, SqueezeNet's 8-channel squeeze) ran one pixel at a time.
     */
    private static void tile4x1(Int8ConvLayer layer, int wOff, int[] plane, int base, int step, int oc,
                                int s0, int s1, int s2, int s3, int t) {
        byte[] w = layer.packedWeights;
        int pairs = layer.layout().inPairs();
        IntVector r0 = IntVector.zero(INTS), r1 = r0, r2 = r0, r3 = r0, h0 = r0, h1 = r0, h2 = r0, h3 = r0;
        int a0 = base, a1 = a0 + step, a2 = a1 + step, a3 = a2 + step;
        int wo = wOff;
        for (int c = 0; c < pairs; c++, wo += ROW) {
            ShortVector w0 = (ShortVector) SHORTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, w, wo)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0));
            ShortVector x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a0 + c]).reinterpretShape(SHORTS, 0));
            IntVector p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
            r0 = p.add(r0);
            h0 = p.lanewise(VectorOperators.LSHR, 16).add(h0);
            x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a1 + c]).reinterpretShape(SHORTS, 0));
            p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
            r1 = p.add(r1);
            h1 = p.lanewise(VectorOperators.LSHR, 16).add(h1);
            x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a2 + c]).reinterpretShape(SHORTS, 0));
            p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
            r2 = p.add(r2);
            h2 = p.lanewise(VectorOperators.LSHR, 16).add(h2);
            x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[a3 + c]).reinterpretShape(SHORTS, 0));
            p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
            r3 = p.add(r3);
            h3 = p.lanewise(VectorOperators.LSHR, 16).add(h3);
        }
        IntVector comp = IntVector.fromArray(INTS, layer.compensation, oc);
        r0.sub(h0.lanewise(VectorOperators.LSHL, 16)).add(h0).sub(comp).sub(128 * s0).intoArray(plane, t);
        r1.sub(h1.lanewise(VectorOperators.LSHL, 16)).add(h1).sub(comp).sub(128 * s1).intoArray(plane, t + LANES);
        r2.sub(h2.lanewise(VectorOperators.LSHL, 16)).add(h2).sub(comp).sub(128 * s2).intoArray(plane, t + 2 * LANES);
        r3.sub(h3.lanewise(VectorOperators.LSHL, 16)).add(h3).sub(comp).sub(128 * s3).intoArray(plane, t + 3 * LANES);
    }

    /** 1 pixel x 16 output channels: remainders and the odd last block. */
    private static void single(Int8ConvLayer layer, Requantization r, int wOff, int[] plane, int base, int oc, int s,
                               byte[] outB, float[] outF, int o, int count, int t) {
        byte[] w = layer.packedWeights;
        int pairs = layer.layout().inPairs();
        IntVector raw = IntVector.zero(INTS), hi = raw;
        int wo = wOff;
        for (int c = 0; c < pairs; c++, wo += ROW) {
            ShortVector w0 = (ShortVector) SHORTS_TYPE.cast(ByteVector.fromArray(WEIGHT_BYTES, w, wo)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0));
            ShortVector x = (ShortVector) SHORTS_TYPE.cast(IntVector.broadcast(INTS, plane[base + c]).reinterpretShape(SHORTS, 0));
            IntVector p = (IntVector) INTS_TYPE.cast(x.mul(w0).reinterpretShape(INTS, 0));
            raw = p.add(raw);
            hi = p.lanewise(VectorOperators.LSHR, 16).add(hi);
        }
        IntVector comp = IntVector.fromArray(INTS, layer.compensation, oc);
        raw.sub(hi.lanewise(VectorOperators.LSHL, 16)).add(hi).sub(comp).sub(128 * s).intoArray(plane, t);
        Epilogue.store(plane, t, r, oc, outB, outF, o, count);
    }
}
