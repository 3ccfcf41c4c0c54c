package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The stride-phase planes against their definition, value by value (a copy, so exact): plane (ic, a, b) holds
 * padded-input pixel (sh * u + a, sw * v + b) at (u, v), the pad value in the padding (+0, or an int8 layer's border
 * level). Scratch starts as NaN (nothing may be
 * left unwritten), and the input array holds NaN before and after the group's channels, so a masked-off lane that
 * let through a value read outside them would show it. Rows are filled in random disjoint ranges, as threads fill
 * them.
 */
class PhasePlanesTest {
    private static final int[][] CASES = { // c, h, wd, kh, kw, sh, sw, ph, pw, phEnd, pwEnd
        {32, 60, 60, 3, 3, 2, 2, 1, 1, 1, 1},   // head-pose pool1: phase rows of 31, two chunks (one shifted back)
        {128, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1},  // head-pose pool3: rows of 9, one masked chunk
        {3, 72, 72, 7, 7, 2, 2, 3, 3, 3, 3},    // vehicle's 7x7 stride-2 first layer: rows of 39
        {3, 40, 40, 7, 7, 2, 2, 3, 3, 2, 2},    // asymmetric end pads
        {2, 9, 36, 3, 3, 2, 2, 0, 0, 0, 0},     // no pad: the last chunk's loads end at the array's end
        {2, 6, 70, 3, 3, 2, 2, 1, 1, 1, 1},     // rows of 36: two whole chunks and a shifted one
        {5, 11, 13, 3, 3, 1, 2, 1, 1, 1, 1},    // stride 2 along columns only
        {5, 11, 13, 3, 3, 2, 1, 1, 1, 1, 1},    // along rows only (row-by-row copy)
        {4, 10, 10, 3, 3, 3, 3, 0, 0, 0, 0},    // stride 3 (row-by-row copy)
        {1, 2, 3, 3, 3, 2, 2, 1, 1, 1, 1},      // a tiny plane: rows of 2, padding rows
        {2, 9, 37, 7, 7, 2, 2, 3, 3, 3, 3},
    };

    @Test
    void everyPhaseValueIsTheInputPixelOrThePadValue() {
        Random r = new Random(7);
        for (int[] t : CASES) {
            for (int groupOffset : new int[] {0, 17}) {
                for (float pad : new float[] {0f, -0.0214f}) {
                    check(r, t, groupOffset, pad);
                }
            }
        }
    }

    private static void check(Random r, int[] t, int groupOffset, float pad) {
        int c = t[0], h = t[1], wd = t[2], kh = t[3], kw = t[4], sh = t[5], sw = t[6], ph = t[7], pw = t[8];
        int oh = (h + ph + t[9] - kh) / sh + 1, ow = (wd + pw + t[10] - kw) / sw + 1;
        int hp = oh + (kh - 1) / sh, wp = ow + (kw - 1) / sw;
        PhasePlanes planes = new PhasePlanes(c, h, wd, sh, sw, ph, pw, hp, wp, pad);
        // the group's channels at groupOffset, NaN before and after them
        float[] x = new float[groupOffset + c * h * wd + (groupOffset > 0 ? 3 : 0)];
        Arrays.fill(x, Float.NaN);
        for (int i = 0; i < c * h * wd; i++) {
            x[groupOffset + i] = r.nextFloat() - 0.5f;
        }
        float[] scratch = new float[planes.floats()];
        Arrays.fill(scratch, Float.NaN);
        for (int from = 0; from < hp; ) {
            int to = Math.min(hp, from + 1 + r.nextInt(4));
            planes.rows(x, groupOffset, scratch, from, to);
            from = to;
        }
        String label = Arrays.toString(t) + " at " + groupOffset + ", pad " + pad;
        assertEquals(c * sh * sw * hp * wp, planes.floats(), label);
        for (int ic = 0; ic < c; ic++) {
            for (int a = 0; a < sh; a++) {
                for (int b = 0; b < sw; b++) {
                    for (int u = 0; u < hp; u++) {
                        for (int v = 0; v < wp; v++) {
                            int iy = sh * u + a - ph, ix = sw * v + b - pw;
                            float want = iy >= 0 && iy < h && ix >= 0 && ix < wd
                                    ? x[groupOffset + (ic * h + iy) * wd + ix] : pad;
                            float got = scratch[(((ic * sh + a) * sw + b) * hp + u) * wp + v];
                            assertEquals(want, got, label + " plane (" + ic + ", " + a + ", " + b + ") at " + u + ", " + v);
                        }
                    }
                }
            }
        }
    }
}
