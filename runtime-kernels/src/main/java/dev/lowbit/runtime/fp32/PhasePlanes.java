package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input of a strided convolution split by stride phase, as {@link TiledConvolution} reads it: plane
 * (ic, a, b) holds padded-input pixel (sh * u + a, sw * v + b) at (u, v), u < hp, v < wp, zero in the padding.
 * (Or {@link #padValue} there: an int8 layer's border term, see {@code TiledConvolution.exactIntegers}.)
 * Every tap is then a constant shift within one phase plane, so the tiles read these planes as they read the padded
 * input of a stride-1 layer: a copy of about the input's size instead of the gathered layout's kh * kw strided planes
 * (13 MB for face-detection's 7x7 stride-2 first layer, which ran at 27 GMAC/s from memory).
 *
 * <p>Column stride 2 (every strided layer of the shared models) runs column chunk by column chunk, both column
 * phases of a row phase at once: the even lanes of two loads are a chunk of up to 16 values of phase 0, the odd
 * lanes the same chunk of phase 1, their lanes outside the input zeroed by a mask that depends only on the chunk's
 * columns, so it is built once per chunk for all rows of the plane. Copying row by row, each phase on its own, with
 * the masks and zero fills built per row, spent 10-12 ns per row of 9-31 values: head-pose's 32 -> 16 stride-2
 * layer took 103 us of which 48 preparing (on the model's own buffers after 2000 inferences, by hand); now 81 and
 * 26.5, and the copy alone 26.8 -> 17.7 us (128 channels at 15x15: 19.0 -> 12.2) since one call does every
 * channel and the rows at the array's ends run in a loop of their own (same JVM, old and new class alternating).
 * Masked float gathers through an index map (no per-row work at all) were no faster than the old copy on
 * 31-value rows (0.47 ns per value: this CPU's gathers). Other column strides copy row by row
 * ({@link TiledConvolution#stridedRow}). Immutable; {@link #rows} is thread-safe for disjoint row ranges.
 */
final class PhasePlanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Odd lanes twice over (see {@link Pooling#EVENS}). */
    private static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(F, i -> (2 * i + 1) % L);

    private final int channels;
    private final int h;
    private final int wd;
    private final int sh;
    private final int sw;
    private final int ph;
    private final int pw;
    private final int hp;
    private final int wp;
    /** What the planes hold outside the input: 0, or an int8 layer's centred border level. */
    private final float padValue;

    /**
     * @param channels input channels of one group, {@code h x wd} each; strides {@code sh, sw}, top and left pads
     *                 {@code ph, pw}; phase planes of {@code hp x wp}; {@code padValue} outside the input
     */
    PhasePlanes(int channels, int h, int wd, int sh, int sw, int ph, int pw, int hp, int wp, float padValue) {
        this.channels = channels;
        this.h = h;
        this.wd = wd;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.hp = hp;
        this.wp = wp;
        this.padValue = padValue;
    }

    /** Floats the planes take: channels x phases x hp x wp. */
    int floats() {
        return channels * sh * sw * hp * wp;
    }

    /**
     * Rows u in {@code [from, to)} of every phase plane of the group whose first input channel starts at
     * {@code xGroup}, into {@code scratch[0, floats())}.
     */
    void rows(float[] x, int xGroup, float[] scratch, int from, int to) {
        if (sw == 2) {
            for (int a = 0; a < sh; a++) {
                strideTwo(x, xGroup - pw, scratch, a, from, to);
            }
            return;
        }
        for (int ic = 0; ic < channels; ic++) {
            int xPlane = xGroup + ic * h * wd;
            for (int a = 0; a < sh; a++) {
                for (int b = 0; b < sw; b++) {
                    int plane = ((ic * sh + a) * sw + b) * hp * wp, first = first(b), last = last(b);
                    for (int u = from; u < to; u++) {
                        int iy = u * sh + a - ph;
                        boolean inside = iy >= 0 && iy < h;
                        TiledConvolution.stridedRow(x, xPlane + iy * wd + b - pw, inside ? first : wp,
                                inside ? last : wp, sw, scratch, plane + u * wp, wp, padValue);
                    }
                }
            }
        }
    }

    /** The first v of column phase b whose input column ix = v * sw + b - pw is inside the input (wp if none). */
    private int first(int b) {
        return TiledLayout.firstInside(b - pw, sw, wp);
    }

    /** One past the last v of column phase b whose input column is inside the input. */
    private int last(int b) {
        return TiledLayout.endInside(b - pw, sw, wd, wp);
    }

    /**
     * Rows u in {@code [from, to)} of the two column phases of row phase a, every channel: value v of phase b's
     * row is {@code x[xRow + 2 v + b]} for v in {@code [first_b, last_b)} of a row inside the input, zero elsewhere;
     * so the even lanes of two loads are phase 0's chunk and the odd lanes phase 1's. Chunks of {@code min(16, wp)}
     * values, the last one shifted back to end at the row's end (its overlap is written twice with the same
     * values). The loads may reach past the row into its neighbours (masked to zero); where they would leave the
     * array (the first and last rows of x), the chunk is copied one value at a time, in a loop of its own: rows
     * that could take either way in one loop, and one call per channel, made this copy 1.5x (32 channels at 60x60)
     * to 1.6x (128 channels at 9x9-15x15) slower (same JVM, by hand).
     */
    private void strideTwo(float[] x, int xShifted, float[] scratch, int a, int from, int to) {
        int first0 = first(0), last0 = last(0), first1 = first(1), last1 = last(1);
        // rows u whose input row iy = u * sh + a - ph lies inside the input: [inFrom, inTo)
        int inFrom = Math.min(to, Math.max(from, ceilDiv(ph - a, sh)));
        int inTo = Math.max(inFrom, Math.min(to, ceilDiv(h + ph - a, sh)));
        int planeFloats = hp * wp;
        int step = Math.min(L, wp);
        VectorMask<Float> store = F.indexInRange(0, step);
        FloatVector pad = FloatVector.broadcast(F, padValue);
        for (int ic = 0; ic < channels; ic++) {
            int plane0 = (ic * sh + a) * 2 * planeFloats, plane1 = plane0 + planeFloats;
            zeroRows(scratch, plane0, from, inFrom, inTo, to);
            zeroRows(scratch, plane1, from, inFrom, inTo, to);
            for (int v0 = 0; v0 < wp; v0 += L) {
                int at = Math.min(v0, wp - step);
                // lanes i in [first - at, min(step, last - at)), from masks of offset 0: indexInRange(at - first, ...)
                // with a negative offset took the Vector API's allocating Java fallback here (vehicle FP32: 25-200 KB
                // per inference); the masks stay local (one returned by a helper C2 did not inline would be boxed)
                VectorMask<Float> inside0 = F.indexInRange(0, Math.min(step, last0 - at))
                        .andNot(F.indexInRange(0, first0 - at));
                VectorMask<Float> inside1 = F.indexInRange(0, Math.min(step, last1 - at))
                        .andNot(F.indexInRange(0, first1 - at));
                int xRows = xShifted + ic * h * wd + (a - ph) * wd + 2 * at; // + u * sh * wd: row u's chunk
                // the rows whose two loads stay inside x: [safeFrom, safeTo)
                int safeFrom = inFrom, safeTo = inTo;
                while (safeFrom < safeTo && xRows + safeFrom * sh * wd < 0) {
                    safeFrom++;
                }
                while (safeTo > safeFrom && xRows + (safeTo - 1) * sh * wd + 2 * L > x.length) {
                    safeTo--;
                }
                if (inFrom < safeFrom || safeTo < inTo) {
                    copyChunks(x, xRows, scratch, plane0, plane1, at, step, first0, last0, first1, last1, inFrom,
                            safeFrom);
                    copyChunks(x, xRows, scratch, plane0, plane1, at, step, first0, last0, first1, last1, safeTo,
                            inTo);
                }
                for (int u = safeFrom; u < safeTo; u++) {
                    int src = xRows + u * sh * wd;
                    int row = u * wp + at;
                    FloatVector lo = FloatVector.fromArray(F, x, src);
                    FloatVector hi = FloatVector.fromArray(F, x, src + L);
                    pad.blend(lo.rearrange(Pooling.EVENS).blend(hi.rearrange(Pooling.EVENS), Pooling.HIGH), inside0)
                            .intoArray(scratch, plane0 + row, store);
                    pad.blend(lo.rearrange(ODDS).blend(hi.rearrange(ODDS), Pooling.HIGH), inside1)
                            .intoArray(scratch, plane1 + row, store);
                }
            }
        }
    }

    /** Rows [from, inFrom) and [inTo, to) of the plane, those outside the input, to the pad value. */
    private void zeroRows(float[] scratch, int plane, int from, int inFrom, int inTo, int to) {
        java.util.Arrays.fill(scratch, plane + from * wp, plane + inFrom * wp, padValue);
        java.util.Arrays.fill(scratch, plane + inTo * wp, plane + to * wp, padValue);
    }

    /** The chunk at column {@code at} of rows [from, to) of both column phases, value by value. */
    private void copyChunks(float[] x, int xRows, float[] scratch, int plane0, int plane1, int at, int step,
            int first0, int last0, int first1, int last1, int from, int to) {
        for (int u = from; u < to; u++) {
            int src = xRows + u * sh * wd;
            copyChunk(x, src, scratch, plane0 + u * wp + at, at, step, first0, last0, padValue);
            copyChunk(x, src + 1, scratch, plane1 + u * wp + at, at, step, first1, last1, padValue);
        }
    }

    /** One chunk value by value, where its loads would leave the array (the first and last rows of the input). */
    private static void copyChunk(float[] x, int src, float[] scratch, int row, int at, int step, int first, int last,
            float pad) {
        for (int i = 0; i < step; i++) {
            int v = at + i;
            scratch[row + i] = v >= first && v < last ? x[src + 2 * i] : pad;
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
