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
        int ox = 0;
        if (sw == 1 || sw == 2) {
            // L outputs at a time, every column of the window's row span loaded without a mask and compared under
            // a mask of the row (columns outside it, padding included, never win); the planes whose loads would
            // leave the array take that chunk in the scalar loop. A tail of at most SCALAR_TAIL outputs is cheaper
            // in the scalar loop than as a masked chunk (vehicle's 18-column rows: 67 us with 2 scalar outputs per
            // row, 98 us with a masked second chunk, by hand).
            for (; ox < ow && (ow - ox >= L || ow - ox > SCALAR_TAIL); ox += L) {
                int c0 = sw * ox - pw;
                int first = firstPlaneInside(planes, h, w, c0);
                int end = endOfPlanesInside(x.length, first, planes, h, w, c0, sw * L + kw - 1);
                if (sw == 1) {
                    maxColumns1(x, y, first, end, h, w, oh, ow, kh, kw, sh, ph, c0, ox);
                } else if (kh == 3 && kw == 3 && sh == 2) {
                    maxColumns3x3s2(x, y, first, end, h, w, oh, ow, ph, c0, ox);
                } else {
                    maxColumns2(x, y, first, end, h, w, oh, ow, kh, kw, sh, ph, c0, ox);
                }
                int to = Math.min(ox + L, ow);
                maxScalar(x, y, 0, first, h, w, oh, ow, kh, kw, sh, sw, ph, pw, ox, to);
                maxScalar(x, y, end, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, ox, to);
            }
        }
        maxScalar(x, y, 0, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, ox, ow);
    }

    /** The scalar loop: outputs {@code [c0, c1)} of every row of planes {@code [p0, p1)}. */
    private static void maxScalar(float[] x, float[] y, int p0, int p1, int h, int w, int oh, int ow,
            int kh, int kw, int sh, int sw, int ph, int pw, int c0, int c1) {
        for (int p = p0; p < p1; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(oy * sh - ph, 0);
                int y1 = Math.min(oy * sh - ph + kh, h);
                for (int c = c0; c < c1; c++) {
                    int x0 = Math.max(c * sw - pw, 0);
                    int x1 = Math.min(c * sw - pw + kw, w);
                    float m = -Float.MAX_VALUE;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            float v = x[(p * h + iy) * w + ix];
                            if (v > m) {
                                m = v;
                            }
                        }
                    }
                    y[(p * oh + oy) * ow + c] = m;
                }
            }
        }
    }

    /**
     * The first plane whose rows the vector chunks can load without a mask: a chunk starting left of the row
     * ({@code c0 < 0}) reads before the first plane's first row.
     */
    private static int firstPlaneInside(int planes, int h, int w, int c0) {
        int p = 0;
        while (p < planes && p * h * w + c0 < 0) {
            p++;
        }
        return p;
    }

    /** The end of the planes from {@code first} whose rows' {@code span} columns from c0 lie inside the array. */
    private static int endOfPlanesInside(int length, int first, int planes, int h, int w, int c0, int span) {
        int end = planes;
        while (end > first && (end - 1) * h * w + (h - 1) * w + c0 + span > length) {
            end--;
        }
        return end;
    }

    /**
     * Outputs {@code [ox, ox + L)} (those below ow) of every row of planes {@code [first, end)}, stride 1: lane j's
     * window spans columns c0 + j + [0, kw). Each lane takes its window in the scalar loop's order with the same
     * comparison, so the result is the scalar loop's, bit for bit; a lane whose column lies outside the row is masked
     * out of the comparison. A compare + blend, not FloatVector.max: Java's max must order NaN and -0.0, a longer
     * sequence on the loop's dependency chain (2.6 vs 3.9 ns per step, by hand). The column masks depend only on the
     * chunk, so the first three are built once for all planes and rows: built per row they were most of the pass
     * (head-pose's 64 x 30 x 30 pool: 37 us, by hand in a per-layer profile). Vectors and masks stay local to this
     * method (one C2 does not inline would box them).
     *
     * <p>The loads take no mask (the caller gives the planes whose rows' loads stay inside the array to this method
     * and the others to the scalar loop). A masked load whose vector leaves the array runs the Vector API's
     * out-of-range branch, whose profile the JDK method shares with every caller: once another model's pool had taken
     * it, C2 compiled {@link #maxColumns3x3s2} into 199 KB instead of 43, inlined its last store late and boxed the
     * stored vector for a call, 92 KB per inference for vehicle-attributes (docs/performance.md, "Allocation after
     * many models: where C2's code boxes").
     */
    private static void maxColumns1(float[] x, float[] y, int first, int end, int h, int w, int oh, int ow, int kh,
            int kw, int sh, int ph, int c0, int ox) {
        VectorMask<Float> out = F.indexInRange(0, ow - ox);
        VectorMask<Float> m0 = F.indexInRange(c0, w), m1 = F.indexInRange(c0 + 1, w), m2 = F.indexInRange(c0 + 2, w);
        for (int p = first; p < end; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(oy * sh - ph, 0);
                int y1 = Math.min(oy * sh - ph + kh, h);
                FloatVector m = FloatVector.broadcast(F, -Float.MAX_VALUE);
                for (int iy = y0; iy < y1; iy++) {
                    int r = (p * h + iy) * w + c0;
                    FloatVector v = FloatVector.fromArray(F, x, r);
                    m = m.blend(v, v.compare(VectorOperators.GT, m, m0));
                    if (kw > 1) {
                        v = FloatVector.fromArray(F, x, r + 1);
                        m = m.blend(v, v.compare(VectorOperators.GT, m, m1));
                    }
                    if (kw > 2) {
                        v = FloatVector.fromArray(F, x, r + 2);
                        m = m.blend(v, v.compare(VectorOperators.GT, m, m2));
                    }
                    for (int kx = 3; kx < kw; kx++) {
                        VectorMask<Float> in = F.indexInRange(c0 + kx, w);
                        v = FloatVector.fromArray(F, x, r + kx);
                        m = m.blend(v, v.compare(VectorOperators.GT, m, in));
                    }
                }
                m.intoArray(y, (p * oh + oy) * ow + ox, out);
            }
        }
    }

    /**
     * As {@link #maxColumns1} for stride 2 (planes {@code [first, end)}, loads without masks): lane j's window spans
     * columns c0 + 2j + [0, kw), so the window max is taken at every column of a 2L run (two vectors per column
     * offset), then the even columns kept.
     */
    private static void maxColumns2(float[] x, float[] y, int first, int end, int h, int w, int oh, int ow, int kh,
            int kw, int sh, int ph, int c0, int ox) {
        VectorMask<Float> out = F.indexInRange(0, ow - ox);
        VectorMask<Float> a0 = F.indexInRange(c0, w), b0 = F.indexInRange(c0 + L, w);
        VectorMask<Float> a1 = F.indexInRange(c0 + 1, w), b1 = F.indexInRange(c0 + 1 + L, w);
        VectorMask<Float> a2 = F.indexInRange(c0 + 2, w), b2 = F.indexInRange(c0 + 2 + L, w);
        for (int p = first; p < end; p++) {
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(oy * sh - ph, 0);
                int y1 = Math.min(oy * sh - ph + kh, h);
                FloatVector lo = FloatVector.broadcast(F, -Float.MAX_VALUE);
                FloatVector hi = lo;
                for (int iy = y0; iy < y1; iy++) {
                    int r = (p * h + iy) * w + c0;
                    FloatVector a = FloatVector.fromArray(F, x, r);
                    FloatVector b = FloatVector.fromArray(F, x, r + L);
                    lo = lo.blend(a, a.compare(VectorOperators.GT, lo, a0));
                    hi = hi.blend(b, b.compare(VectorOperators.GT, hi, b0));
                    if (kw > 1) {
                        a = FloatVector.fromArray(F, x, r + 1);
                        b = FloatVector.fromArray(F, x, r + 1 + L);
                        lo = lo.blend(a, a.compare(VectorOperators.GT, lo, a1));
                        hi = hi.blend(b, b.compare(VectorOperators.GT, hi, b1));
                    }
                    if (kw > 2) {
                        a = FloatVector.fromArray(F, x, r + 2);
                        b = FloatVector.fromArray(F, x, r + 2 + L);
                        lo = lo.blend(a, a.compare(VectorOperators.GT, lo, a2));
                        hi = hi.blend(b, b.compare(VectorOperators.GT, hi, b2));
                    }
                    for (int kx = 3; kx < kw; kx++) {
                        VectorMask<Float> inLo = F.indexInRange(c0 + kx, w), inHi = F.indexInRange(c0 + kx + L, w);
                        a = FloatVector.fromArray(F, x, r + kx);
                        b = FloatVector.fromArray(F, x, r + kx + L);
                        lo = lo.blend(a, a.compare(VectorOperators.GT, lo, inLo));
                        hi = hi.blend(b, b.compare(VectorOperators.GT, hi, inHi));
                    }
                }
                lo.rearrange(EVENS).blend(hi.rearrange(EVENS), HIGH).intoArray(y, (p * oh + oy) * ow + ox, out);
            }
        }
    }

    /**
     * As {@link #maxColumns2} for the common 3x3 stride-2 window, separably: each input row's maximum over its three
     * columns, then the maximum of three such rows, the last of which is the next output row's first (kept, not
     * recomputed). The result is {@link #maxColumns2}'s bit for bit: both keep, in window order, the first value
     * greater than all before it, and the row-wise fold finds that value in the first row holding the window's
     * maximum; a row outside the input is -Float.MAX_VALUE, which never wins. Why: in {@link #maxColumns2} every
     * output row is one chain of nine dependent compare-and-blend steps per vector, and the loop runs at the chain's
     * latency; here the rows' three-step chains are independent. The three rows' blocks are written out: as one
     * block in a loop over the rows (the carried row skipped) the pass ran 1.1-1.2x slower (64 x 30x30 13.1-13.2 vs
     * 15.1-15.8 us, 32 x 150x150 230-237 vs 271-276; alternating JVMs, by hand), and a helper returning a row's two
     * vectors would box them wherever C2 does not inline it.
     *
     * <p>Planes {@code [first, end)}, loaded without masks as in {@link #maxColumns1}.
     */
    private static void maxColumns3x3s2(float[] x, float[] y, int first, int end, int h, int w, int oh, int ow, int ph,
            int c0, int ox) {
        VectorMask<Float> out = F.indexInRange(0, ow - ox);
        VectorMask<Float> a0 = F.indexInRange(c0, w), b0 = F.indexInRange(c0 + L, w);
        VectorMask<Float> a1 = F.indexInRange(c0 + 1, w), b1 = F.indexInRange(c0 + 1 + L, w);
        VectorMask<Float> a2 = F.indexInRange(c0 + 2, w), b2 = F.indexInRange(c0 + 2 + L, w);
        FloatVector none = FloatVector.broadcast(F, -Float.MAX_VALUE);
        for (int p = first; p < end; p++) {
            int plane = p * h * w + c0;
            // the horizontal maxima of the row above the current output row's window (none before the first)
            FloatVector carriedLo = none, carriedHi = none;
            int carriedRow = Integer.MIN_VALUE;
            for (int oy = 0; oy < oh; oy++) {
                int top = oy * 2 - ph;
                FloatVector lo0 = none, hi0 = none, lo1 = none, hi1 = none, lo2 = none, hi2 = none;
                if (top == carriedRow) {
                    lo0 = carriedLo;
                    hi0 = carriedHi;
                } else if (top >= 0 && top < h) {
                    int r = plane + top * w;
                    FloatVector a = FloatVector.fromArray(F, x, r);
                    FloatVector b = FloatVector.fromArray(F, x, r + L);
                    lo0 = none.blend(a, a.compare(VectorOperators.GT, none, a0));
                    hi0 = none.blend(b, b.compare(VectorOperators.GT, none, b0));
                    a = FloatVector.fromArray(F, x, r + 1);
                    b = FloatVector.fromArray(F, x, r + 1 + L);
                    lo0 = lo0.blend(a, a.compare(VectorOperators.GT, lo0, a1));
                    hi0 = hi0.blend(b, b.compare(VectorOperators.GT, hi0, b1));
                    a = FloatVector.fromArray(F, x, r + 2);
                    b = FloatVector.fromArray(F, x, r + 2 + L);
                    lo0 = lo0.blend(a, a.compare(VectorOperators.GT, lo0, a2));
                    hi0 = hi0.blend(b, b.compare(VectorOperators.GT, hi0, b2));
                }
                if (top + 1 >= 0 && top + 1 < h) {
                    int r = plane + (top + 1) * w;
                    FloatVector a = FloatVector.fromArray(F, x, r);
                    FloatVector b = FloatVector.fromArray(F, x, r + L);
                    lo1 = none.blend(a, a.compare(VectorOperators.GT, none, a0));
                    hi1 = none.blend(b, b.compare(VectorOperators.GT, none, b0));
                    a = FloatVector.fromArray(F, x, r + 1);
                    b = FloatVector.fromArray(F, x, r + 1 + L);
                    lo1 = lo1.blend(a, a.compare(VectorOperators.GT, lo1, a1));
                    hi1 = hi1.blend(b, b.compare(VectorOperators.GT, hi1, b1));
                    a = FloatVector.fromArray(F, x, r + 2);
                    b = FloatVector.fromArray(F, x, r + 2 + L);
                    lo1 = lo1.blend(a, a.compare(VectorOperators.GT, lo1, a2));
                    hi1 = hi1.blend(b, b.compare(VectorOperators.GT, hi1, b2));
                }
                if (top + 2 >= 0 && top + 2 < h) {
                    int r = plane + (top + 2) * w;
                    FloatVector a = FloatVector.fromArray(F, x, r);
                    FloatVector b = FloatVector.fromArray(F, x, r + L);
                    lo2 = none.blend(a, a.compare(VectorOperators.GT, none, a0));
                    hi2 = none.blend(b, b.compare(VectorOperators.GT, none, b0));
                    a = FloatVector.fromArray(F, x, r + 1);
                    b = FloatVector.fromArray(F, x, r + 1 + L);
                    lo2 = lo2.blend(a, a.compare(VectorOperators.GT, lo2, a1));
                    hi2 = hi2.blend(b, b.compare(VectorOperators.GT, hi2, b1));
                    a = FloatVector.fromArray(F, x, r + 2);
                    b = FloatVector.fromArray(F, x, r + 2 + L);
                    lo2 = lo2.blend(a, a.compare(VectorOperators.GT, lo2, a2));
                    hi2 = hi2.blend(b, b.compare(VectorOperators.GT, hi2, b2));
                }
                carriedLo = lo2;
                carriedHi = hi2;
                carriedRow = top + 2;
                FloatVector lo = lo0.blend(lo1, lo1.compare(VectorOperators.GT, lo0));
                lo = lo.blend(lo2, lo2.compare(VectorOperators.GT, lo));
                FloatVector hi = hi0.blend(hi1, hi1.compare(VectorOperators.GT, hi0));
                hi = hi.blend(hi2, hi2.compare(VectorOperators.GT, hi));
                lo.rearrange(EVENS).blend(hi.rearrange(EVENS), HIGH).intoArray(y, (p * oh + oy) * ow + ox, out);
            }
        }
    }

    /**
     * Average over each window, summed in double. The divisor, as OpenVINO's reference avg_pool.hpp: with
     * {@code excludePad}, or without any padding, the input pixels in the window; otherwise the whole kernel,
     * even where a ceil-rounded window reaches past the end padding (that reference keeps the kernel size "for
     * conformance between the ref and plugins"; clipping the window to the padded input instead gave a larger
     * average on such edge windows).
     */
    public static void avgPool(float[] x, float[] y, int planes, int h, int w, int oh, int ow,
            int kh, int kw, int sh, int sw, int ph, int pw, int padEndH, int padEndW, boolean excludePad) {
        boolean wholeKernel = !excludePad && (ph != 0 || pw != 0 || padEndH != 0 || padEndW != 0);
        for (int p = 0; p < planes; p++) {
            int xp = p * h * w;
            int yp = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int ys = oy * sh - ph;
                int y0 = Math.max(ys, 0);
                int y1 = Math.min(ys + kh, h);
                for (int ox = 0; ox < ow; ox++) {
                    int xs = ox * sw - pw;
                    int x0 = Math.max(xs, 0);
                    int x1 = Math.min(xs + kw, w);
                    double s = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            s += x[xp + iy * w + ix];
                        }
                    }
                    int count = wholeKernel ? kh * kw : Math.max(0, y1 - y0) * Math.max(0, x1 - x0);
                    y[yp + oy * ow + ox] = count == 0 ? 0f : (float) (s / count);
                }
            }
        }
    }
}
