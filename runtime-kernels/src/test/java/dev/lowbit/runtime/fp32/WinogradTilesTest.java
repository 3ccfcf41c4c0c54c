package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The f32 layers {@link TiledConvolution} runs as Winograd F(2x2, 3x3), F(3x3, 3x3) or F(4x4, 3x3), against the definition in
 * double.
 *
 * <p>Tolerance, per output: {@code 1.01 * (C + K) * 2^-24 * W / s}, with
 * {@code W = |A^T| (sum over c of |G| |g_c| |G^T| . |B^T| |d_c| |B|) |A|} the same transforms on absolute values
 * (d_c the output's input tile of channel c). F(2x2): G' = 2G (s = 4), K = 8. Why: each transformed input is a
 * signed sum of four inputs in two rounded additions (error at most 2u of its absolute counterpart, u = 2^-24);
 * each transformed weight is exact in double and rounded once to f32 (u); a position's product sums C FMAs (C u of
 * the sum of absolute products, plus the 3u the inputs bring); the output transform adds nine such sums in two
 * rounded stages per direction (4u); the final multiplication by 0.25 is exact, and comparing with the double
 * reference rounded to f32 adds u. F(3x3): s = 1, K = 20: each direction of the input transform rounds at most four
 * times per value (three additions or subtractions and the product by 3; by 2 is exact), 8u, the weight u, the
 * products C u, each direction of the output transform at most three additions (6u), the comparison u, a margin of
 * 4u. F(4x4): s = 1, K = 24: each direction of the input transform rounds at most four
 * times per value (three additions and the product by 5; by 2 and 4 is exact), 8u, the weight u, the products C u,
 * each direction of the output transform at most five additions (10u), the comparison u, and a margin of 4u. A
 * wrong coefficient or tap is off by a whole product, far above this bound, as the direct tiles' test argues for
 * its own.
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
        {1, 32, 7, 11, 32, 1, 1, 1, 1},    // F(4x4): 2 x 3 tiles, the last row and column partly outside
        {1, 16, 30, 30, 64, 1, 1, 1, 1},   // head-pose's 16 -> 64 layer: the fewest inputs, F(4x4)
        {1, 20, 10, 10, 32, 1, 1, 1, 1},   // 20 inputs padded to 32, F(2x2)
        {1, 64, 6, 6, 128, 1, 1, 1, 1},    // landmarks' 64 -> 128 layer: F(3x3), four whole tiles
        {1, 48, 5, 5, 32, 1, 1, 1, 1},     // F(3x3): four tiles, the last row and column partly outside
        {1, 128, 9, 9, 128, 1, 1, 1, 1},   // vehicle's 128 -> 128 layer: F(3x3), nine whole tiles
    };

    @Test
    void f32LayersStayWithinTheWinogradRoundingBound() {
        Random r = new Random(13);
        int[] byTile = new int[5];
        for (int[] t : CASES) {
            byTile[check(r, t)]++;
        }
        for (int tile = 2; tile <= 4; tile++) {
            assertTrue(byTile[tile] >= 3, byTile[tile] + " of the cases run F(" + tile + "x" + tile + ")");
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
        assertTrue(TiledLayout.winograd(16, 64, 30, 30, 3, 3, 1, 1, 1, 1, 1), "16 inputs");
        assertFalse(TiledLayout.winograd(8, 64, 30, 30, 3, 3, 1, 1, 1, 1, 1), "8 inputs");
        assertFalse(TiledLayout.winograd(64, 16, 30, 30, 3, 3, 1, 1, 1, 1, 1), "16 outputs");
        assertFalse(TiledLayout.winograd(64, 36, 30, 30, 3, 3, 1, 1, 1, 1, 1), "36 outputs: not whole vectors");
        assertFalse(TiledLayout.winograd(64, 64, 15, 15, 3, 3, 2, 2, 1, 1, 1), "stride 2");
        assertFalse(TiledLayout.winograd(64, 64, 15, 15, 3, 3, 1, 1, 2, 2, 1), "dilation 2");
        assertFalse(TiledLayout.winograd(64, 64, 15, 15, 3, 3, 1, 1, 1, 1, 2), "two groups");
    }

    @Test
    void eachLayerTakesTheTileWhoseWeightedProductsCostLeast() {
        assertEquals(4, TiledLayout.winogradGeometry(64, 15, 15, 128, 15, 15, 1, 1).outputTile(),
                "15x15: 16 4x4 tiles, 576 products x 1.3 against 28 x 25 x 1.43 and 64 x 16");
        assertEquals(4, TiledLayout.winogradGeometry(64, 8, 8, 128, 8, 8, 1, 1).outputTile(), "4 tiles of 4x4");
        assertEquals(2, TiledLayout.winogradGeometry(128, 4, 4, 256, 4, 4, 1, 1).outputTile(), "one tile of 4x4");
        assertEquals(3, TiledLayout.winogradGeometry(128, 9, 9, 128, 9, 9, 1, 1).outputTile(),
                "9x9: 9 3x3 tiles (12 in whole steps), 300 products x 1.43 against 448 of F(2x2) and 432 x 1.3");
        assertEquals(3, TiledLayout.winogradGeometry(128, 5, 5, 128, 5, 5, 1, 1).outputTile(), "5x5: 100 against 192");
        assertEquals(3, TiledLayout.winogradGeometry(64, 6, 6, 64, 6, 6, 1, 1).outputTile(), "6x6: 100 against 192");
        assertEquals(2, TiledLayout.winogradGeometry(128, 10, 10, 128, 10, 10, 1, 1).outputTile(),
                "10x10: 448 against 400 x 1.43 and 432 x 1.3");
        assertEquals(3, TiledLayout.winogradGeometry(64, 18, 18, 64, 18, 18, 1, 1).outputTile(),
                "18x18: 900 x 1.43 against 1008 x 1.3");
        assertEquals(4, TiledLayout.winogradGeometry(32, 12, 12, 64, 12, 12, 1, 1).outputTile(),
                "12x12: 432 x 1.3 against 400 x 1.43 and 576 (slower in landmarks' profile with F(3x3))");
        assertEquals(4, TiledLayout.winogradGeometry(16, 30, 30, 64, 30, 30, 1, 1).outputTile(),
                "30x30: 2304 x 1.3 against 2500 x 1.43 (head-pose's conv2: 6-10% slower with F(3x3))");
        assertEquals(4, TiledLayout.winogradGeometry(32, 38, 38, 64, 38, 38, 1, 1).outputTile(),
                "38x38: 3600 x 1.3 against 4300 x 1.43");
        assertEquals(36, TiledLayout.winogradGeometry(64, 8, 8, 128, 8, 8, 1, 1).positions());
        assertEquals(25, TiledLayout.winogradGeometry(64, 6, 6, 128, 6, 6, 1, 1).positions());
        assertThrows(IllegalArgumentException.class, () -> new WinogradGeometry(64, 64, 8, 8, 8, 8, 1, 1, 2, 3),
                "F(3x3) sums in f32: one run");
        assertThrows(IllegalArgumentException.class, () -> new WinogradGeometry(64, 64, 8, 8, 8, 8, 1, 1, 1, 5),
                "no F(5x5)");
        assertThrows(IllegalArgumentException.class, () -> new WinogradGeometry(64, 64, 8, 8, 8, 8, 1, 1, 2, 4),
                "F(4x4) sums in f32: one run");
        WinogradGeometry four = new WinogradGeometry(64, 64, 8, 8, 8, 8, 1, 1, 1, 4);
        assertThrows(IllegalArgumentException.class,
                () -> new WinogradTiles(four, new float[36 * 64 * 64], true, new int[] {0, 64}),
                "integer sums need F(2x2)'s integer transforms");
    }

    /**
     * The 16 or 36 positions of a tile are read and written together; strides that are multiples of 4 KB put them
     * all in one L1 set (the int8 64 -> 64 layer at 18x18 ran 1.25x slower with 64 tiles of 64 channels per block).
     */
    @Test
    void positionStridesAreNeverMultiplesOf4KB() {
        for (int channels = 16; channels <= 512; channels += 16) {
            for (int side = 4; side <= 80; side += 2) {
                for (int tile : new int[] {2, 3, 4}) {
                    WinogradGeometry g = new WinogradGeometry(channels, channels, side, side, side, side, 1, 1, 1, tile);
                    String label = channels + " channels at " + side + "x" + side + ", F(" + tile + "x" + tile + "): ";
                    assertNotEquals(0, g.inputPositionStride() * 4 % 4096, label + g.blockTiles() + " tiles");
                    assertNotEquals(0, g.productPositionStride() * 4 % 4096, label + g.blockTiles() + " tiles");
                    assertTrue(g.inputPositionStride() >= g.blockTiles() * g.paddedIn(), label + "V rows overlap");
                    assertTrue(g.productPositionStride() >= g.blockTiles() * g.outChannels(), label + "M rows overlap");
                }
            }
        }
        WinogradGeometry vehicle = new WinogradGeometry(64, 64, 18, 18, 18, 18, 1, 1, 1, 2);
        assertEquals(64 * 64 + 16, vehicle.inputPositionStride(), "64 tiles of 64 channels, one cache line more");
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

    /** Checks case t against the bound; returns its output tile (2 or 4). */
    private static int check(Random r, int[] t) {
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
        int tile = TiledLayout.winogradGeometry(c, h, w, oc, oh, ow, top, left).outputTile();
        int side = tile + 2, positions = side * side;
        double[][] gAbs = tile == 2 ? G2_ABS : tile == 3 ? G3_ABS : G4_ABS;
        double[][] btAbs = tile == 2 ? BT2_ABS : tile == 3 ? BT3_ABS : BT4_ABS;
        double[][] atAbs = tile == 2 ? AT2_ABS : tile == 3 ? AT3_ABS : AT4_ABS;
        double scale = tile == 2 ? 4 : 1, k = tile == 2 ? 8 : tile == 3 ? 20 : 24;
        double[][] uAbs = new double[oc * c][];
        for (int i = 0; i < oc * c; i++) {
            uAbs[i] = sandwich(gAbs, absolute(wt, i * 9, 3, 3, 0, 0, 3, 3));
        }
        for (int b = 0; b < n; b++) {
            for (int ty = 0; ty < (oh + tile - 1) / tile; ty++) {
                for (int tx = 0; tx < (ow + tile - 1) / tile; tx++) {
                    double[][] vAbs = new double[c][];
                    for (int ic = 0; ic < c; ic++) {
                        vAbs[ic] = sandwich(btAbs, absolute(x, ((b * c + ic) * h) * w, h, w, tile * ty - top,
                                tile * tx - left, side, side));
                    }
                    for (int o = 0; o < oc; o++) {
                        double[] m = new double[positions];
                        for (int ic = 0; ic < c; ic++) {
                            for (int p = 0; p < positions; p++) {
                                m[p] += uAbs[o * c + ic][p] * vAbs[ic][p];
                            }
                        }
                        double[] yAbs = sandwich(atAbs, m);
                        for (int i = 0; i < tile; i++) {
                            for (int j = 0; j < tile; j++) {
                                int oy = tile * ty + i, ox = tile * tx + j;
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
                                double bound = 1.01 * (c + k) * U * yAbs[i * tile + j] / scale;
                                int at = ((b * oc + o) * oh + oy) * ow + ox;
                                double err = Math.abs(got[at] - (float) s);
                                assertTrue(err <= bound, label + " F(" + tile + "x" + tile + ") output " + at + ": "
                                        + got[at] + " vs " + (float) s + ", error " + err + " > bound " + bound);
                            }
                        }
                    }
                }
            }
        }
        return tile;
    }

    /** |G'| (G' = 2G), |B^T| and |A^T| of F(2x2, 3x3); |G|, |B^T| and |A^T| of F(3x3, 3x3) and F(4x4, 3x3). */
    private static final double[][] G2_ABS = {{2, 0, 0}, {1, 1, 1}, {1, 1, 1}, {0, 0, 2}};
    private static final double[][] BT2_ABS = {{1, 0, 1, 0}, {0, 1, 1, 0}, {0, 1, 1, 0}, {0, 1, 0, 1}};
    private static final double[][] AT2_ABS = {{1, 1, 1, 0}, {0, 1, 1, 1}};
    private static final double[][] G3_ABS = {{1 / 2.0, 0, 0}, {1 / 2.0, 1 / 2.0, 1 / 2.0},
        {1 / 6.0, 1 / 6.0, 1 / 6.0}, {1 / 6.0, 1 / 3.0, 2 / 3.0}, {0, 0, 1}};
    private static final double[][] BT3_ABS = {{2, 1, 2, 1, 0}, {0, 2, 1, 1, 0}, {0, 2, 3, 1, 0}, {0, 1, 0, 1, 0},
        {0, 2, 1, 2, 1}};
    private static final double[][] AT3_ABS = {{1, 1, 1, 1, 0}, {0, 1, 1, 2, 0}, {0, 1, 1, 4, 1}};
    private static final double[][] G4_ABS = {{1 / 4.0, 0, 0}, {1 / 6.0, 1 / 6.0, 1 / 6.0}, {1 / 6.0, 1 / 6.0, 1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, 1 / 12.0, 1 / 6.0}, {0, 0, 1}};
    private static final double[][] BT4_ABS = {{4, 0, 5, 0, 1, 0}, {0, 4, 4, 1, 1, 0}, {0, 4, 4, 1, 1, 0},
        {0, 2, 1, 2, 1, 0}, {0, 2, 1, 2, 1, 0}, {0, 4, 0, 5, 0, 1}};
    private static final double[][] AT4_ABS = {{1, 1, 1, 1, 1, 0}, {0, 1, 1, 2, 2, 0}, {0, 1, 1, 4, 4, 0},
        {0, 1, 1, 8, 8, 1}};

    /** The absolute values of the rows x cols window at (y0, x0) of one h x w plane at {@code at}, zero outside. */
    private static double[] absolute(float[] v, int at, int h, int w, int y0, int x0, int rows, int cols) {
        double[] a = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int y = y0 + i, x = x0 + j;
                if (y >= 0 && y < h && x >= 0 && x < w) {
                    a[i * cols + j] = Math.abs(v[at + y * w + x]);
                }
            }
        }
        return a;
    }

    /** {@code L m L^T} for the square matrix m (row-major, side L's columns), L with r rows: r x r, row-major. */
    private static double[] sandwich(double[][] l, double[] m) {
        int r = l.length, n = l[0].length;
        double[] out = new double[r * r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < r; j++) {
                double s = 0;
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        s += l[i][a] * m[a * n + b] * l[j][b];
                    }
                }
                out[i * r + j] = s;
            }
        }
        return out;
    }

    private static float[] random(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
