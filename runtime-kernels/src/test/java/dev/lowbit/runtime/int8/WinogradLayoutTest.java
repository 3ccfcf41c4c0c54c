package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.fp32.WinogradGeometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The build-time half of the Winograd path: which layers it takes, the integer weight transform, the exactness
 * bound. The arithmetic itself is checked against the int8 kernel in {@link FmaConvolutionTest}.
 */
class WinogradLayoutTest {
    @Test
    void transformedWeightsAreTheTextbookOnesTimesFour() {
        // G g G^T for a kernel with a single 1 in the centre: G's middle column is (0, 1/2, -1/2, 0)
        byte[] centre = new byte[9];
        centre[4] = 1;
        int[] u = new int[16];
        WinogradLayout.transform(centre, 0, u);
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, -1, 0, 0, -1, 1, 0, 0, 0, 0, 0}, u, "4 x (1/4, -1/4; -1/4, 1/4)");
        // a top-left 1: G's first column is (1, 1/2, 1/2, 0)
        byte[] corner = new byte[9];
        corner[0] = 1;
        WinogradLayout.transform(corner, 0, u);
        assertArrayEquals(new int[] {4, 2, 2, 0, 2, 1, 1, 0, 2, 1, 1, 0, 0, 0, 0, 0}, u);
    }

    @Test
    void winogradOfOneTileIsFourTimesTheDirectSums() {
        Random rnd = new Random(3);
        byte[] w = new byte[9];
        int[][] d = new int[4][4];
        for (int trial = 0; trial < 100; trial++) {
            for (int i = 0; i < 9; i++) {
                w[i] = (byte) (rnd.nextInt(256) - 128);
            }
            for (int[] row : d) {
                Arrays.setAll(row, i -> rnd.nextInt(256) - 128);
            }
            int[] u = new int[16];
            WinogradLayout.transform(w, 0, u);
            int[][] bt = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
            int[][] at = {{1, 1, 1, 0}, {0, 1, -1, -1}};
            long[][] m = new long[4][4];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    long v = 0;
                    for (int a = 0; a < 4; a++) {
                        for (int b = 0; b < 4; b++) {
                            v += (long) bt[i][a] * d[a][b] * bt[j][b];
                        }
                    }
                    assertTrue(Math.abs(v) <= WinogradLayout.largestInput(i * 4 + j, 128), "V within its bound");
                    m[i][j] = u[i * 4 + j] * v;
                }
            }
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    long fourY = 0;
                    for (int i = 0; i < 4; i++) {
                        for (int j = 0; j < 4; j++) {
                            fourY += at[y][i] * m[i][j] * at[x][j];
                        }
                    }
                    long direct = 0;
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            direct += (long) w[ky * 3 + kx] * d[y + ky][x + kx];
                        }
                    }
                    assertEquals(4 * direct, fourY, "output " + y + "," + x);
                }
            }
        }
    }

    @Test
    void inputBoundsFollowTheSignsAndTheZeroPoint() {
        // (1, 1) adds d11 + d12 + d21 + d22; (0, 0) is d00 - d02 - d20 + d22
        assertEquals(4 * 255, WinogradLayout.largestInput(5, 0));
        assertEquals(2 * 255, WinogradLayout.largestInput(0, 0));
        assertEquals(4 * 128, WinogradLayout.largestInput(5, 128), "levels 128 below z");
        assertEquals(2 * 127 + 2 * 128, WinogradLayout.largestInput(0, 128));
        assertEquals(4 * 255, WinogradLayout.largestInput(5, 255));
    }

    @Test
    void takesExactThreeByThreeStrideOneLayersWithEnoughChannels() {
        byte[] small = new byte[64 * 32 * 9];
        Arrays.fill(small, (byte) 3);
        assertTrue(WinogradLayout.takes(ConvGeometry.square(8, 8, 32, 64, 1, 3, 1, 1), small, 0));
        assertFalse(WinogradLayout.takes(ConvGeometry.square(8, 8, 32, 64, 1, 3, 2, 1), small, 0), "stride 2");
        assertFalse(WinogradLayout.takes(new ConvGeometry(8, 8, 32, 64, 1, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2), small, 0),
                "dilation 2");
        assertFalse(WinogradLayout.takes(ConvGeometry.square(8, 8, 64, 64, 2, 3, 1, 1), small, 0), "two groups");
        assertFalse(WinogradLayout.takes(ConvGeometry.square(8, 8, 24, 64, 1, 3, 1, 1), new byte[64 * 24 * 9], 0),
                "24 inputs");
        assertFalse(WinogradLayout.takes(ConvGeometry.square(8, 8, 32, 36, 1, 3, 1, 1), new byte[36 * 32 * 9], 0),
                "36 outputs: not whole vectors");
        byte[] large = new byte[32 * 32 * 9];
        Arrays.fill(large, (byte) -128);
        ConvGeometry g = ConvGeometry.square(8, 8, 32, 32, 1, 3, 1, 1);
        assertEquals(32L * 1152 * 1020, WinogradLayout.largestPartialSum(g, large, 0), "9 x 128 against 4 x 255");
        // 1152 x 1020 per channel: 14 channels per run of at most 2^24, so runs of 14, 14 and 4
        assertArrayEquals(new int[] {0, 14, 28, 32}, WinogradLayout.runStarts(g, large, 0), "partial sums past 2^24");
        assertEquals(3, WinogradLayout.runs(g, large, 0));
        assertTrue(WinogradLayout.takes(g, large, 0), "in runs of input channels");
        assertEquals(1, WinogradLayout.runs(g, new byte[32 * 32 * 9], 0), "zero weights: one run");
        ConvGeometry wide = ConvGeometry.square(8, 8, 64, 32, 1, 3, 1, 1);
        byte[] five = new byte[32 * 64 * 9];
        Arrays.fill(five, (byte) -128);
        assertEquals(0, WinogradLayout.runs(wide, five, 0), "64 channels need 5 runs, more than " + WinogradLayout.MAX_RUNS);
        assertFalse(WinogradLayout.takes(wide, five, 0));
    }

    @Test
    void scratchHoldsThePaddedInputAndABlockPerWorker() {
        ConvGeometry g = ConvGeometry.square(9, 7, 40, 48, 1, 3, 1, 1);
        // 5 x 4 tiles; rows 2 x 5 + 2, columns 2 x 4 + 2; 40 inputs padded to 48
        WinogradGeometry one = WinogradLayout.geometry(g, 1), two = WinogradLayout.geometry(g, 2);
        assertEquals(12 * 10 * 48, one.inputFloats());
        assertEquals(20, one.blockTiles(), "the layer's tiles, whole steps of four");
        // per position: the tiles' rows of V and of M (per run), each stride one cache line (16 floats) longer
        assertEquals(16 * (20 * 48 + 16 + 20 * 48 + 16) + 192, one.blockFloats());
        assertEquals(16 * (20 * 48 + 16 + 2 * (20 * 48 + 16)) + 192, two.blockFloats(), "products per run of channels");
        assertEquals(one.inputFloats() + 3 * one.blockFloats(), one.scratchFloats(3));
        ConvGeometry wide = ConvGeometry.square(75, 75, 32, 128, 1, 3, 1, 1);
        assertEquals(48, WinogradLayout.geometry(wide, 1).blockTiles(), "2^17 floats / (16 x 160) = 51, in whole steps of four");
    }
}
