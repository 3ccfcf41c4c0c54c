package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D max and average pooling over NCHW planes. Windows start at oy*sh - ph; the output size (floor or
 * ceil rounding) is the caller's, and window parts outside the input are skipped. Stateless, thread-safe
 * when callers pass distinct buffers.
 */
public final class Pooling {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /**
     * Even lanes twice over: a vector's even lanes in both halves. The stride-2 outputs of a 2L-column window max
     * are the low half of this of the first vector and the high half of this of the second (single-vector
     * rearranges and a blend: the two-vector rearrange allocated on some call sites, 700 KB per landmarks call).
     * Also {@link TiledConvolution}'s stride-2 copies.
     */
    static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(F, i -> (2 * i) % L);
    /** Lanes L/2 .. L-1. */
    static final VectorMask<Float> HIGH = F.indexInRange(-L / 2, L / 2);
    /** Row tails this short run scalar (see maxPool). */
    private static final int SCALAR_TAIL = 4;

    private Pooling() {}

    /**
     * Max over each window of each of {@code planes} (= N*C) planes, as OpenVINO's reference: an element replaces the
     * running maximum (from -Float.MAX_VALUE) only when it is greater, in window order, so padding and NaN never win
     * and the first of equal values (0.0 and -0.0) stays.
     */
    public static void maxPool(float[] x, float[] y, int planes, int h, int w, int oh, int ow,
            int kh, int kw, int sh, int sw, int ph, int pw) {
        for (int p = 0; p < planes; p++) {
            int xp = p * h * w;
            int yp = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(oy * sh - ph, 0);
                int y1 = Math.min(oy * sh - ph + kh, h);
                int at = yp + oy * ow;
                int ox = 0;
                if (sw == 1 || sw == 2) {
                    // L outputs at a time, every column of the window's row span loaded masked to the row (columns
                    // outside it, padding included, read -infinity, which never wins). Each lane takes its window in
                    // the scalar loop's order with the same comparison, so the result is the scalar loop's, bit for
                    // bit. A compare + blend, not FloatVector.max: Java's max must order NaN and -0.0, a longer
                    // sequence on the loop's dependency chain (2.6 vs 3.9 ns per step, by hand). A tail of at most
                    // SCALAR_TAIL outputs is cheaper in the scalar loop than as a masked tile (vehicle's 18-column
                    // rows: 67 us with 2 scalar outputs per row, 98 us with a masked second tile, by hand).
                    for (; ox < ow && (ow - ox >= L || ow - ox > SCALAR_TAIL); ox += L) {
                        if (sw == 1) {
                            maxRow1(x, y, xp, w, y0, y1, ox - pw, kw, at + ox, ow - ox);
                        } else {
                            maxRow2(x, y, xp, w, y0, y1, ox * 2 - pw, kw, at + ox, ow - ox);
                        }
                    }
                }
                for (; ox < ow; ox++) {
                    int x0 = Math.max(ox * sw - pw, 0);
                    int x1 = Math.min(ox * sw - pw + kw, w);
                    float m = -Float.MAX_VALUE;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            float v = x[xp + iy * w + ix];
                            if (v > m) {
                                m = v;
                            }
                        }
                    }
                    y[at + ox] = m;
                }
            }
        }
    }

    /**
     * y[at + j] = max over rows [y0, y1) and columns ix0 + j + [0, kw) of plane xp, for j < min(L, left). Loads
     * that reach past the row are masked to it and blended with -infinity: rows as short as 6-15 columns
     * (landmarks, head-pose) never fit a whole vector, and the scalar Math.max loop cost half of landmarks' float
     * time. The load is written out in each kernel (not a helper returning a vector: one C2 does not inline would
     * box every vector).
     */
    private static void maxRow1(float[] x, float[] y, int xp, int w, int y0, int y1, int ix0, int kw, int at, int left) {
        FloatVector m = FloatVector.broadcast(F, -Float.MAX_VALUE);
        for (int iy = y0; iy < y1; iy++) {
            int r = xp + iy * w;
            for (int c = ix0; c < ix0 + kw; c++) {
                FloatVector v;
                if (c >= 0 && c + L <= w) {
                    v = FloatVector.fromArray(F, x, r + c);
                } else {
                    VectorMask<Float> inRow = F.indexInRange(c, w);
                    v = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).blend(FloatVector.fromArray(F, x, r + c, inRow), inRow);
                }
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
        }
        m.intoArray(y, at, F.indexInRange(0, left));
    }

    /**
     * y[at + j] = max over rows [y0, y1) and columns ix0 + 2j + [0, kw) of plane xp, for j < min(L, left): the
     * window max at every column of a 2L run (two vectors, loads masked as in {@link #maxRow1}), then the even
     * columns.
     */
    private static void maxRow2(float[] x, float[] y, int xp, int w, int y0, int y1, int ix0, int kw, int at, int left) {
        FloatVector lo = FloatVector.broadcast(F, -Float.MAX_VALUE);
        FloatVector hi = lo;
        for (int iy = y0; iy < y1; iy++) {
            int r = xp + iy * w;
            for (int c = ix0; c < ix0 + kw; c++) {
                FloatVector a, b;
                if (c >= 0 && c + 2 * L <= w) {
                    a = FloatVector.fromArray(F, x, r + c);
                    b = FloatVector.fromArray(F, x, r + c + L);
                } else {
                    VectorMask<Float> inLo = F.indexInRange(c, w), inHi = F.indexInRange(c + L, w);
                    a = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).blend(FloatVector.fromArray(F, x, r + c, inLo), inLo);
                    b = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY).blend(FloatVector.fromArray(F, x, r + c + L, inHi), inHi);
                }
                lo = lo.blend(a, a.compare(VectorOperators.GT, lo));
                hi = hi.blend(b, b.compare(VectorOperators.GT, hi));
            }
        }
        lo.rearrange(EVENS).blend(hi.rearrange(EVENS), HIGH).intoArray(y, at, F.indexInRange(0, left));
    }

    /**
     * Average over each window, summed in double. With {@code excludePad} the divisor counts only input
     * pixels; otherwise it counts the window clipped to the padded input (h + ph + padEndH), as OpenVINO's
     * reference does.
     */
    public static void avgPool(float[] x, float[] y, int planes, int h, int w, int oh, int ow,
            int kh, int kw, int sh, int sw, int ph, int pw, int padEndH, int padEndW, boolean excludePad) {
        for (int p = 0; p < planes; p++) {
            int xp = p * h * w;
            int yp = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int ys = oy * sh - ph;
                int ye = Math.min(ys + kh, h + padEndH);
                int y0 = Math.max(ys, 0);
                int y1 = Math.min(ye, h);
                for (int ox = 0; ox < ow; ox++) {
                    int xs = ox * sw - pw;
                    int xe = Math.min(xs + kw, w + padEndW);
                    int x0 = Math.max(xs, 0);
                    int x1 = Math.min(xe, w);
                    double s = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            s += x[xp + iy * w + ix];
                        }
                    }
                    int count = excludePad ? (y1 - y0) * (x1 - x0) : (ye - ys) * (xe - xs);
                    y[yp + oy * ow + ox] = count == 0 ? 0f : (float) (s / count);
                }
            }
        }
    }
}
