package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import dev.lowbit.runtime.pack.DepthwiseWeightLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * int8 depthwise convolution (any kernel size, stride, padding, dilation) with the requantization fused. NHWC,
 * weights in {@link DepthwiseWeightLayout}. Stateless and thread-safe; scratch per concurrent caller
 * ({@link Int8DepthwiseLayer#scratchInts()}); allocates nothing per call (a split call: its task).
 *
 * <p>Each output channel has only its own few taps, so there is no channel reduction to pair up and the layer is
 * bound by memory traffic, not multiplies: the kernel reads the u8/i8 input in place (no padded copy), widens 16
 * channels of one tap to int32 in the unsigned domain (i8 levels with their top bit flipped, i.e. {@code x + 128};
 * the layer's compensation uses the zero point in that domain), and multiplies int32 lanes directly ({@code x} in
 * 0..255 times {@code w} in -128..127 is exact). Interior tiles of 4 output pixels share each weight vector four
 * times (a u8 input XORs with 0, which measured within the noise of a u8-only loop); pixels whose window touches
 * the border read only the taps inside the input (a padded tap holds the zero point and adds nothing to the centred
 * sum; a layer with a fractional zero point adds its border term there, {@link Int8DepthwiseLayer#borderLevel}). No vector is chosen by a condition or crosses a call: C2 may decline to inline a helper in a large compilation, and a vector
 * that crosses a call it did not inline is boxed (docs/int8-kernels.md, "No vector crosses a call").
 * Overflow bound as in {@link ConvGeometry#MAX_REDUCTION} (the reduction here is only {@code kernelH * kernelW}).
 */
public final class Int8DepthwiseConvolution {
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    // Each species' exact class: conversion results, and byte loads that receive a call, are cast to it, so that C2
    // binds the calls on them without type profiles, which other kernels and models share (docs/int8-kernels.md,
    // "Conversions are cast to their exact class", "Byte and short loads that receive a call are cast too").
    private static final Class<? extends Vector<Byte>> BYTES_TYPE = BYTES.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final int LANES = DepthwiseWeightLayout.CHANNEL_BLOCK;
    private static final int TILE = 4;

    private Int8DepthwiseConvolution() {
    }

    public static void runQuantized(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff, int[] scratch) {
        runQuantized(layer, r, in, inOff, out, outOff, scratch, null);
    }

    /** Split over {@code parallel} when large enough (null: the caller); scratch {@link Int8DepthwiseLayer#scratchInts(int)}. */
    public static void runQuantized(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff,
                                    int[] scratch, Parallel parallel) {
        r.requireQuantized();
        run(layer, r, in, inOff, out, null, outOff, scratch, parallel);
    }

    public static void runFloat(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff, int[] scratch) {
        runFloat(layer, r, in, inOff, out, outOff, scratch, null);
    }

    /** Split over {@code parallel} when large enough (null: the caller); scratch {@link Int8DepthwiseLayer#scratchInts(int)}. */
    public static void runFloat(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff,
                                int[] scratch, Parallel parallel) {
        r.requireFloat();
        run(layer, r, in, inOff, null, out, outOff, scratch, parallel);
    }

    /**
     * Work units are (output row, 16-channel block), flattened in that order; a unit computes exactly what the
     * single-thread loop computes for that row and block, with worker {@code w}'s own tile slot in scratch, so a
     * split run is bit-identical.
     */
    private static void run(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, byte[] outB, float[] outF, int outOff,
                            int[] scratch, Parallel parallel) {
        ConvGeometry g = layer.geometry();
        boolean split = parallel != null && parallel.worthSplitting(g.macs());
        int workers = split ? parallel.threads() : 1;
        Bounds.convolution(g, r, scratch, layer.scratchInts(workers), workers, in, inOff,
                outB != null ? outB.length : outF.length, outOff);
        int blocks = (g.outChannels() + LANES - 1) / LANES;
        int units = g.outH() * blocks;
        if (!split) {
            runUnits(layer, r, in, inOff, outB, outF, outOff, scratch, 0, units, blocks, 0);
        } else {
            parallel.forRange(units, (from, to, w) -> runUnits(layer, r, in, inOff, outB, outF, outOff, scratch, from, to, blocks, w));
        }
    }

    private static void runUnits(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, byte[] outB, float[] outF,
                                 int outOff, int[] scratch, int from, int to, int blocks, int w) {
        int t = w * Int8DepthwiseLayer.TILE_INTS;
        for (int u = from; u < to; ) {
            int oy = u / blocks;
            int c0 = u - oy * blocks;
            int c1 = Math.min(blocks, c0 + (to - u));
            runRow(layer, r, in, inOff, outB, outF, outOff, scratch, oy, c0 * LANES, Math.min(layer.geometry().outChannels(), c1 * LANES), t);
            u += c1 - c0;
        }
    }

    /** Channels {@code [c0, c1)} of output row {@code oy}; tile products in scratch at {@code t}. */
    private static void runRow(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, byte[] outB, float[] outF,
                               int outOff, int[] scratch, int oy, int c0, int c1, int t) {
        ConvGeometry g = layer.geometry();
        int channels = g.outChannels();
        int ow = g.outW();
        int lastX = (g.kernelW() - 1) * g.dilationW();
        int iy = oy * g.strideH() - g.padTop();
        boolean rowInside = iy >= 0 && iy + (g.kernelH() - 1) * g.dilationH() < g.inH();
        int ox = 0;
        for (; ox + TILE <= ow; ox += TILE) {
            int ix = ox * g.strideW() - g.padLeft();
            boolean inside = rowInside && ix >= 0 && ix + (TILE - 1) * g.strideW() + lastX < g.inW();
            int o = outOff + (oy * ow + ox) * channels;
            for (int c = c0; c < c1; c += LANES) {
                int count = Math.min(LANES, channels - c);
                // a full 16-byte load at the last pixel's last block could run past the array: masked path
                if (inside && count == LANES) {
                    tile4(layer, r, in, inOff + (iy * g.inW() + ix) * channels + c, c, outB, outF, o + c, scratch, t);
                } else {
                    for (int j = 0; j < TILE; j++) {
                        pixel(layer, r, in, inOff, iy, ix + j * g.strideW(), c, outB, outF, o + j * channels + c, count, scratch, t);
                    }
                }
            }
        }
        for (; ox < ow; ox++) {
            int ix = ox * g.strideW() - g.padLeft();
            int o = outOff + (oy * ow + ox) * channels;
            for (int c = c0; c < c1; c += LANES) {
                pixel(layer, r, in, inOff, iy, ix, c, outB, outF, o + c, Math.min(LANES, channels - c), scratch, t);
            }
        }
    }

    /**
     * 4 interior output pixels x 16 channels; {@code a} is the input index of pixel 0's first tap, channel c.
     * Products in scratch at {@code t}.
     */
    private static void tile4(Int8DepthwiseLayer layer, Requantization r, byte[] in, int a, int c,
                              byte[] outB, float[] outF, int o, int[] scratch, int t) {
        ConvGeometry g = layer.geometry();
        int channels = g.inChannels();
        int cp = layer.layout().paddedChannels();
        int tapY = g.dilationH() * g.inW() * channels;
        int tapX = g.dilationW() * channels;
        int step = g.strideW() * channels;
        byte flip = layer.flip;
        int[] w = layer.widenedWeights;
        IntVector acc0 = IntVector.zero(INTS), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int wo = c;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++, wo += cp) {
                IntVector wv = IntVector.fromArray(INTS, w, wo);
                int at = a + ky * tapY + kx * tapX;
                ByteVector x0Levels = (ByteVector) BYTES_TYPE.cast(ByteVector.fromArray(BYTES, in, at));
                IntVector x0 = (IntVector) INTS_TYPE.cast(x0Levels
                        .lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
                ByteVector x1Levels = (ByteVector) BYTES_TYPE.cast(ByteVector.fromArray(BYTES, in, at + step));
                IntVector x1 = (IntVector) INTS_TYPE.cast(x1Levels
                        .lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
                ByteVector x2Levels = (ByteVector) BYTES_TYPE.cast(ByteVector.fromArray(BYTES, in, at + 2 * step));
                IntVector x2 = (IntVector) INTS_TYPE.cast(x2Levels
                        .lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
                ByteVector x3Levels = (ByteVector) BYTES_TYPE.cast(ByteVector.fromArray(BYTES, in, at + 3 * step));
                IntVector x3 = (IntVector) INTS_TYPE.cast(x3Levels
                        .lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
                acc0 = x0.mul(wv).add(acc0);
                acc1 = x1.mul(wv).add(acc1);
                acc2 = x2.mul(wv).add(acc2);
                acc3 = x3.mul(wv).add(acc3);
            }
        }
        // through scratch: keeps vectors out of the (not always inlined) epilogue call
        IntVector comp = IntVector.fromArray(INTS, layer.compensation, c);
        acc0.sub(comp).intoArray(scratch, t);
        acc1.sub(comp).intoArray(scratch, t + LANES);
        acc2.sub(comp).intoArray(scratch, t + 2 * LANES);
        acc3.sub(comp).intoArray(scratch, t + 3 * LANES);
        Epilogue.storeTile(scratch, t, TILE, 1, r, c, outB, outF, o, channels, LANES);
    }

    /**
     * One output pixel whose window starts at input {@code (iy, ix)} (may be outside), 16 channels from c. Only the
     * taps inside the input are read: a padded tap holds the zero point, so it adds nothing to
     * {@code D = sum (x - z) w}, which this computes as {@code sum_inside x w - z sum_inside w} (unsigned domain).
     */
    private static void pixel(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, int iy, int ix, int c,
                              byte[] outB, float[] outF, int o, int count, int[] scratch, int t) {
        ConvGeometry g = layer.geometry();
        int channels = g.inChannels();
        int cp = layer.layout().paddedChannels();
        int dh = g.dilationH(), dw = g.dilationW();
        int ky0 = iy >= 0 ? 0 : Math.ceilDiv(-iy, dh), ky1 = Math.min(g.kernelH(), Math.ceilDiv(g.inH() - iy, dh));
        int kx0 = ix >= 0 ? 0 : Math.ceilDiv(-ix, dw), kx1 = Math.min(g.kernelW(), Math.ceilDiv(g.inW() - ix, dw));
        byte flip = layer.flip;
        VectorMask<Byte> m = BYTES.indexInRange(0, count);
        int[] w = layer.widenedWeights;
        IntVector acc = IntVector.zero(INTS), weights = acc;
        for (int ky = ky0; ky < ky1; ky++) {
            int row = inOff + ((iy + ky * dh) * g.inW() + ix) * channels + c;
            for (int kx = kx0; kx < kx1; kx++) {
                IntVector wv = IntVector.fromArray(INTS, w, c + (ky * g.kernelW() + kx) * cp);
                ByteVector levels = (ByteVector) BYTES_TYPE.cast(
                        ByteVector.fromArray(BYTES, in, row + kx * dw * channels, m));
                IntVector xv = (IntVector) INTS_TYPE.cast(levels.lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
                acc = xv.mul(wv).add(acc);
                weights = wv.add(weights);
            }
        }
        acc.sub(weights.mul(layer.unsignedZeroPoint)).intoArray(scratch, t);
        if (layer.borderLevel != 0 && (ky0 > 0 || ky1 < g.kernelH() || kx0 > 0 || kx1 < g.kernelW())) {
            weights.intoArray(scratch, t + LANES);
            storeWithBorderTerm(layer, r, scratch, t, c, outB, outF, o, count);
            return;
        }
        Epilogue.store(scratch, t, r, c, outB, outF, o, count);
    }

    /**
     * The epilogue of a pixel whose window reads the padding, with the border term: its dot products at
     * {@code scratch[t ..]} and the weights of the taps it read at {@code scratch[t + LANES ..]}; the padded taps'
     * weights are the rest of each channel's sum. Scalar: only border pixels of layers with a fractional zero point.
     */
    private static void storeWithBorderTerm(Int8DepthwiseLayer layer, Requantization r, int[] scratch, int t, int c,
            byte[] outB, float[] outF, int o, int count) {
        for (int i = 0; i < count; i++) {
            int ch = c + i;
            float sum = scratch[t + i] + layer.borderLevel * (layer.weightSums[ch] - scratch[t + LANES + i]);
            if (outB == null) {
                outF[o + i] = r.floatScalar(sum, ch);
            } else {
                outB[o + i] = (byte) r.quantizeScalar(sum, ch);
            }
        }
    }
}
