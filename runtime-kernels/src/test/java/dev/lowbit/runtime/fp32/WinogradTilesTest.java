package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The f32 layers {@link TiledConvolution} runs as Winograd F(2x2, 3x3), against the definition in double.
 *
 * <p>Tolerance, per output: {@code 1.01 * (C + 8) * 2^-24 * W / 4}, with
 * {@code W = |A^T| (sum over c of |G'| |g_c| |G'^T| . |B^T| |d_c| |B|) |A|} the same transforms on absolute values
 * (d_c the output's 4x4 input tile of channel c). Why: each transformed input is a signed sum of four inputs in two
 * rounded additions (error at most 2u of its absolute counterpart, u = 2^-24); each transformed weight is exact in
 * double and rounded once to f32 (u); a position's product sums C FMAs (C u of the sum of absolute products, plus
 * the 3u the inputs bring); the output transform adds nine such sums in two rounded stages per direction (4u); the
 * final multiplication by 0.25 is exact, and comparing with the double reference rounded to f32 adds u. A wrong
 * coefficient or tap is off by a whole product, far above this bound, as the direct tiles' test argues for its own.
 */
class WinogradTilesTest {
    private static final double U = Math.scalb(1.0, -24);
    private static final int[][] CASES = { // n, c, h, w, oc, padTop, padLeft, padBottom, padRight
        {1, 32, 15, 15, 32, 1, 1, 1, 1},   // odd plane: the last tile row and column half outside
        {1, 33, 8, 9, 48, 1, 1, 1, 1},     // input channels padded to 48, an even and an odd side
        {2, 40, 6, 5, 32, 0, 0, 0, 0},     // a batch, no padding
        {1, 64, 3, 3, 32, 1, 1, 1, 1},     // a 3x3 plane: four tiles, three of them partly outside
        {1, 32, 7, 7, 64, 2, 0, 0, 2},     // asymmetric pads
        {1, 32, 24, 24, 32, 1, 1, 1, 1},   // 144 tiles: two blocks of 128
        {1, 128, 4, 4, 256, 1, 1, 1, 1},   // head-pose's 128 -> 256 layer
        {1, 64, 15, 15, 128, 1, 1, 1, 1},  // head-pose's 64 -> 128 layer
    };

    @Test
    void f32LayersStayWithinTheWinogradRoundingBound() {
        Random r = new Random(13);
        for (int[] t : CASES) {
            check(r, t);
        }
    }

    /** Split over 2, 3 and 5 threads (every layer split, whatever its size), the output equals one thread's. */
    @Test
    void splitOverThreadsIsBitIdentical() {
        Random r = new Random(17);
        Parallel[] pools = {Parallel.create(2, 0), Parallel.create(3, 0), Parallel.create(5, 0)};
        try {
            for (int[] t : CASES) {
                if (t[0] != 1) {
                    continue;
                }
                TiledConvolution conv = layer(r, t);
                float[] x = random(r, t[1] * t[2] * t[3]);
                float[] want = new float[t[4] * outH(t) * outW(t)];
                conv.run(x, want, new float[conv.scratchFloats()]);
                for (Parallel p : pools) {
                    float[] got = new float[want.length];
                    float[] scratch = new float[conv.scratchFloats() + (p.threads() - 1) * conv.workerScratchFloats()];
                    Arrays.fill(scratch, Float.NaN);
                    conv.run(x, got, scratch, p);
                    assertArrayEquals(want, got, Arrays.toString(t) + " on " + p);
                }
            }
        } finally {
            for (Parallel p : pools) {
                p.close();
            }
        }
    }

    @Test
    void fewTilesOrChannelsStayOnTheDirectTiles() {
        assertTrue(TiledLayout.winograd(64, 128, 4, 4, 3, 3, 1, 1, 1, 1, 1), "4 tiles");
        assertFalse(TiledLayout.winograd(256, 512, 2, 2, 3, 3, 1, 1, 1, 1, 1), "one tile: weights read once");
        assertFalse(TiledLayout.winograd(16, 64, 30, 30, 3, 3, 1, 1, 1, 1, 1), "16 inputs");
        assertFalse(TiledLayout.winograd(64, 36, 30, 30, 3, 3, 1, 1, 1, 1, 1), "36 outputs: not whole vectors");
        assertFalse(TiledLayout.winograd(64, 64, 15, 15, 3, 3, 2, 2, 1, 1, 1), "stride 2");
        assertFalse(TiledLayout.winograd(64, 64, 15, 15, 3, 3, 1, 1, 2, 2, 1), "dilation 2");
        assertFalse(TiledLayout.winograd(64, 64, 15, 15, 3, 3, 1, 1, 1, 1, 2), "two groups");
    }

    @Test
    void scratchWithoutABlockPerThreadIsRefused() {
        int[] t = CASES[0];
        TiledConvolution conv = layer(new Random(1), t);
        try (Parallel two = Parallel.create(2, 0)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.run(
                    new float[t[1] * t[2] * t[3]], new float[t[4] * outH(t) * outW(t)],
                    new float[conv.scratchFloats()], two));
            assertTrue(e.getMessage().contains("for 2 threads"), e.getMessage());
        }
    }

    private static TiledConvolution layer(Random r, int[] t) {
        assertTrue(TiledLayout.winograd(t[1], t[4], outH(t), outW(t), 3, 3, 1, 1, 1, 1, 1),
                Arrays.toString(t) + " runs as Winograd");
        return new TiledConvolution(random(r, t[4] * t[1] * 9), t[0], t[1], t[2], t[3], t[4], outH(t), outW(t), 3, 3,
                1, 1, t[5], t[6], 1, 1, 1);
    }

    private static int outH(int[] t) {
        return t[2] + t[5] + t[7] - 2;
    }

    private static int outW(int[] t) {
        return t[3] + t[6] + t[8] - 2;
    }

    private static void check(Random r, int[] t) {
        int n = t[0], c = t[1], h = t[2], w = t[3], oc = t[4], top = t[5], left = t[6];
        int oh = outH(t), ow = outW(t);
        String label = Arrays.toString(t);
        float[] x = random(r, n * c * h * w);
        float[] wt = random(r, oc * c * 9);
        TiledConvolution conv = new TiledConvolution(wt, n, c, h, w, oc, oh, ow, 3, 3, 1, 1, top, left, 1, 1, 1);
        float[] got = new float[n * oc * oh * ow];
        Arrays.fill(got, Float.NaN);
        float[] scratch = new float[conv.scratchFloats() + 5];
        Arrays.fill(scratch, Float.NaN); // stale scratch must not leak into the result
        conv.run(x, got, scratch);
        double[][] uAbs = new double[oc * c][];
        for (int i = 0; i < oc * c; i++) {
            uAbs[i] = absoluteTransform(wt, i * 9);
        }
        for (int b = 0; b < n; b++) {
            for (int ty = 0; ty < (oh + 1) / 2; ty++) {
                for (int tx = 0; tx < (ow + 1) / 2; tx++) {
                    double[][] vAbs = new double[c][];
                    for (int ic = 0; ic < c; ic++) {
                        vAbs[ic] = absoluteInputTransform(x, ((b * c + ic) * h) * w, h, w, 2 * ty - top, 2 * tx - left);
                    }
                    for (int o = 0; o < oc; o++) {
                        double[] m = new double[16];
                        for (int ic = 0; ic < c; ic++) {
                            for (int p = 0; p < 16; p++) {
                                m[p] += uAbs[o * c + ic][p] * vAbs[ic][p];
                            }
                        }
                        for (int i = 0; i < 2; i++) {
                            for (int j = 0; j < 2; j++) {
                                int oy = 2 * ty + i, ox = 2 * tx + j;
                                if (oy >= oh || ox >= ow) {
                                    continue;
                                }
                                double s = 0;
                                for (int ic = 0; ic < c; ic++) {
                                    for (int ky = 0; ky < 3; ky++) {
                                        for (int kx = 0; kx < 3; kx++) {
                                            int iy = oy - top + ky, ix = ox - left + kx;
                                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                                s += (double) wt[(o * c + ic) * 9 + ky * 3 + kx]
                                                        * x[((b * c + ic) * h + iy) * w + ix];
                                            }
                                        }
                                    }
                                }
                                double bound = 1.01 * (c + 8) * U * outputAbs(m, i, j) / 4;
                                int at = ((b * oc + o) * oh + oy) * ow + ox;
                                double err = Math.abs(got[at] - (float) s);
                                assertTrue(err <= bound, label + " output " + at + ": " + got[at] + " vs " + (float) s
                                        + ", error " + err + " > bound " + bound);
                            }
                        }
                    }
                }
            }
        }
    }

    /** |G'| |g| |G'^T| with G' = 2G = [[2,0,0],[1,1,1],[1,-1,1],[0,0,2]], as 16 positions. */
    private static double[] absoluteTransform(float[] w, int at) {
        int[][] g2 = {{2, 0, 0}, {1, 1, 1}, {1, 1, 1}, {0, 0, 2}};
        double[] u = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 3; k++) {
                    for (int l = 0; l < 3; l++) {
                        u[i * 4 + j] += g2[i][k] * Math.abs(w[at + k * 3 + l]) * g2[j][l];
                    }
                }
            }
        }
        return u;
    }

    /** |B^T| |d| |B| over the 4x4 tile at (y0, x0) of one plane (zero outside), |B^T| = [[1,0,1,0],[0,1,1,0],[0,1,1,0],[0,1,0,1]]. */
    private static double[] absoluteInputTransform(float[] x, int plane, int h, int w, int y0, int x0) {
        int[][] bt = {{1, 0, 1, 0}, {0, 1, 1, 0}, {0, 1, 1, 0}, {0, 1, 0, 1}};
        double[] v = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        int iy = y0 + a, ix = x0 + b;
                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                            v[i * 4 + j] += bt[i][a] * Math.abs(x[plane + iy * w + ix]) * bt[j][b];
                        }
                    }
                }
            }
        }
        return v;
    }

    /** (|A^T| m |A|)[i][j], |A^T| = [[1,1,1,0],[0,1,1,1]]. */
    private static double outputAbs(double[] m, int i, int j) {
        int[][] at = {{1, 1, 1, 0}, {0, 1, 1, 1}};
        double s = 0;
        for (int r = 0; r < 4; r++) {
            for (int q = 0; q < 4; q++) {
                s += at[i][r] * m[r * 4 + q] * at[j][q];
            }
        }
        return s;
    }

    private static float[] random(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
