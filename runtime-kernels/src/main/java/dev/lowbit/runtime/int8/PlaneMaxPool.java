package dev.lowbit.runtime.int8;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link LevelTensors#maxPool} on NCHW u8 levels: for strides 1 and 2 every output row runs in chunks of 64
 * (stride 1) or 32 (stride 2) outputs, one masked 64-byte load per window row and column offset (stride 2: per
 * pair of columns). Columns outside the input are masked off and read as level 0, which never exceeds a level
 * inside the window, so windows clipped at the borders (padding, ceil rounding) need no separate path. The masks
 * depend only on the chunk's columns: they are built once per chunk for all planes and rows, which is what made
 * this pass 3-4x faster than building them per row (landmarks' first pool, 16 x 48 x 48: 9.3 -> 2.1 us, by hand).
 * Unsigned levels are compared as signed bytes after flipping the top bit, as {@link Int8MaxPool} does. Other
 * strides run the scalar definition. Stateless.
 */
final class PlaneMaxPool {
    private static final VectorSpecies<Byte> WIDE = ByteVector.SPECIES_512;
    private static final VectorSpecies<Byte> HALF = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> PAIRS = ShortVector.SPECIES_512;
    // Each species' exact class: conversion results, and byte loads that receive a call, are cast to it, so that C2
    // binds the calls on them without type profiles, which other kernels and models share (docs/int8-kernels.md,
    // "Conversions are cast to their exact class", "Byte and short loads that receive a call are cast too").
    private static final Class<? extends Vector<Byte>> WIDE_TYPE = WIDE.vectorType();
    private static final Class<? extends Vector<Byte>> HALF_TYPE = HALF.vectorType();
    private static final Class<? extends Vector<Short>> PAIRS_TYPE = PAIRS.vectorType();
    private static final byte FLIP = (byte) 0x80;

    private PlaneMaxPool() {
    }

    /**
     * Planes {@code [p0, p1)} of {@code x} ({@code h x w} each) pooled into {@code y} ({@code oh x ow} each):
     * window {@code kh x kw}, strides {@code sh, sw}, top and left pads {@code ph, pw}, windows clipped to the
     * input. A window with no input element gives level 0.
     */
    static void planes(byte[] x, byte[] y, int h, int w, int oh, int ow, int kh, int kw, int sh, int sw, int ph,
            int pw, int p0, int p1) {
        if (sw == 1) {
            strideOne(x, y, h, w, oh, ow, kh, kw, sh, ph, pw, p0, p1);
        } else if (sw == 2) {
            strideTwo(x, y, h, w, oh, ow, kh, kw, sh, ph, pw, p0, p1);
        } else {
            for (int p = p0; p < p1; p++) {
                for (int oy = 0; oy < oh; oy++) {
                    scalarRow(x, y, p, h, w, oh, ow, kh, kw, sh, sw, ph, pw, oy);
                }
            }
        }
    }

    /** Lane i of a chunk is output {@code ox + i}; the load for column offset kx reads column {@code ox - pw + kx + i}. */
    private static void strideOne(byte[] x, byte[] y, int h, int w, int oh, int ow, int kh, int kw, int sh, int ph,
            int pw, int p0, int p1) {
        int step = WIDE.length();
        for (int ox = 0; ox < ow; ox += step) {
            int count = Math.min(step, ow - ox);
            int c0 = ox - pw;
            // lanes reading columns inside [0, w) and feeding one of this chunk's outputs, per column offset
            VectorMask<Byte> m0 = WIDE.indexInRange(c0, Math.min(w, c0 + count));
            VectorMask<Byte> m1 = WIDE.indexInRange(c0 + 1, Math.min(w, c0 + 1 + count));
            VectorMask<Byte> m2 = WIDE.indexInRange(c0 + 2, Math.min(w, c0 + 2 + count));
            VectorMask<Byte> out = WIDE.indexInRange(0, count);
            for (int p = p0; p < p1; p++) {
                int plane = p * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = Math.max(oy * sh - ph, 0);
                    int y1 = Math.min(oy * sh - ph + kh, h);
                    ByteVector best = ByteVector.broadcast(WIDE, Byte.MIN_VALUE);
                    // the fresh vectors are the receivers (docs/int8-kernels.md, "Accumulators take the fresh vector")
                    for (int iy = y0; iy < y1; iy++) {
                        int row = plane + iy * w + c0;
                        best = ((ByteVector) WIDE_TYPE.cast(ByteVector.fromArray(WIDE, x, row, m0)))
                                .lanewise(VectorOperators.XOR, FLIP).max(best);
                        if (kw > 1) {
                            best = ((ByteVector) WIDE_TYPE.cast(ByteVector.fromArray(WIDE, x, row + 1, m1)))
                                    .lanewise(VectorOperators.XOR, FLIP).max(best);
                        }
                        if (kw > 2) {
                            best = ((ByteVector) WIDE_TYPE.cast(ByteVector.fromArray(WIDE, x, row + 2, m2)))
                                    .lanewise(VectorOperators.XOR, FLIP).max(best);
                        }
                        for (int kx = 3; kx < kw; kx++) {
                            VectorMask<Byte> mk = WIDE.indexInRange(c0 + kx, Math.min(w, c0 + kx + count));
                            best = ((ByteVector) WIDE_TYPE.cast(ByteVector.fromArray(WIDE, x, row + kx, mk)))
                                    .lanewise(VectorOperators.XOR, FLIP).max(best);
                        }
                    }
                    best.lanewise(VectorOperators.XOR, FLIP).intoArray(y, (p * oh + oy) * ow + ox, out);
                }
            }
        }
    }

    /**
     * Byte lane 2i + j of a load at column offset kx reads column {@code 2 (ox + i) - pw + kx + j}: read as shorts,
     * the low byte (j = 0) and the high byte (j = 1) of short lane i are two columns of output {@code ox + i}'s
     * window, so one load serves two column offsets and no lanes need compacting at the end.
     */
    private static void strideTwo(byte[] x, byte[] y, int h, int w, int oh, int ow, int kh, int kw, int sh, int ph,
            int pw, int p0, int p1) {
        int step = PAIRS.length();
        for (int ox = 0; ox < ow; ox += step) {
            int count = Math.min(step, ow - ox);
            int c0 = 2 * ox - pw;
            VectorMask<Byte> m0 = WIDE.indexInRange(c0, Math.min(w, c0 + 2 * count));
            VectorMask<Byte> m2 = WIDE.indexInRange(c0 + 2, Math.min(w, c0 + 2 + 2 * count));
            VectorMask<Byte> out = HALF.indexInRange(0, count);
            for (int p = p0; p < p1; p++) {
                int plane = p * h * w;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = Math.max(oy * sh - ph, 0);
                    int y1 = Math.min(oy * sh - ph + kh, h);
                    ShortVector best = ShortVector.broadcast(PAIRS, Byte.MIN_VALUE);
                    for (int iy = y0; iy < y1; iy++) {
                        int row = plane + iy * w + c0;
                        ShortVector pair = (ShortVector) PAIRS_TYPE.cast(
                                ((ByteVector) WIDE_TYPE.cast(ByteVector.fromArray(WIDE, x, row, m0)))
                                .lanewise(VectorOperators.XOR, FLIP).reinterpretShape(PAIRS, 0));
                        // the low byte sign-extended (<< 8 >> 8) is the window's first column, the high byte the next
                        best = pair.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).max(best);
                        if (kw > 1) {
                            best = pair.lanewise(VectorOperators.ASHR, 8).max(best);
                        }
                        if (kw > 2) {
                            pair = (ShortVector) PAIRS_TYPE.cast(
                                    ((ByteVector) WIDE_TYPE.cast(ByteVector.fromArray(WIDE, x, row + 2, m2)))
                                    .lanewise(VectorOperators.XOR, FLIP).reinterpretShape(PAIRS, 0));
                            best = pair.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).max(best);
                            if (kw > 3) {
                                best = pair.lanewise(VectorOperators.ASHR, 8).max(best);
                            }
                        }
                        for (int kx = 4; kx < kw; kx += 2) {
                            VectorMask<Byte> mk = WIDE.indexInRange(c0 + kx, Math.min(w, c0 + kx + 2 * count));
                            pair = (ShortVector) PAIRS_TYPE.cast(
                                    ((ByteVector) WIDE_TYPE.cast(ByteVector.fromArray(WIDE, x, row + kx, mk)))
                                    .lanewise(VectorOperators.XOR, FLIP).reinterpretShape(PAIRS, 0));
                            best = pair.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).max(best);
                            if (kx + 1 < kw) {
                                best = pair.lanewise(VectorOperators.ASHR, 8).max(best);
                            }
                        }
                    }
                    // every short lane holds a flipped level in [-128, 127]: narrowing keeps it
                    ((ByteVector) HALF_TYPE.cast(best.convertShape(VectorOperators.S2B, HALF, 0)))
                            .lanewise(VectorOperators.XOR, FLIP)
                            .intoArray(y, (p * oh + oy) * ow + ox, out);
                }
            }
        }
    }

    /** Output row {@code oy} of plane {@code p} as the definition: the largest level in each clipped window. */
    private static void scalarRow(byte[] x, byte[] y, int p, int h, int w, int oh, int ow, int kh, int kw, int sh,
            int sw, int ph, int pw, int oy) {
        int y0 = Math.max(oy * sh - ph, 0);
        int y1 = Math.min(oy * sh - ph + kh, h);
        for (int ox = 0; ox < ow; ox++) {
            int x0 = Math.max(ox * sw - pw, 0);
            int x1 = Math.min(ox * sw - pw + kw, w);
            int m = 0;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    m = Math.max(m, x[(p * h + iy) * w + ix] & 0xFF);
                }
            }
            y[(p * oh + oy) * ow + ox] = (byte) m;
        }
    }
}
