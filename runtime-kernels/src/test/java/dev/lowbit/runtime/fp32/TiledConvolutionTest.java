package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The f32 tiled convolution against the definition as plain nested loops in double, over shapes that exercise
 * every path: 1x1 with and without pads (direct reads, wide scratch), 3x3 / 5x5 stride 1 (padded wide layout),
 * stride 2 and 3 (gathered), dilation, asymmetric end pads, groups with leftover channels, depthwise with and
 * without a channel multiplier, batches, rows shorter and longer than a vector, pixel counts that leave masked
 * tails.
 *
 * <p>Tolerance, per output: (K + 1) * 2^-24 * sum |w * x| (times 1.01 for second-order terms). The kernel adds K
 * products with one f32 rounding per FMA; each rounding errs by at most 2^-24 of the running sum, which never
 * exceeds sum |w * x|; the "+ 1" is the double reference's own rounding to float. Zero-padding taps add exact
 * zeros. A wrong tap, offset or weight order is off by a whole product, far above this bound.
 */
class TiledConvolutionTest {
    private static final double U = Math.scalb(1.0, -24);
    static final int[][] CASES = { // n, c, h, w, oc, kh, kw, sh, sw, ph, pw, phEnd, pwEnd, dh, dw, groups
        {1, 3, 7, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {1, 16, 56, 56, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {1, 8, 19, 23, 12, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {2, 5, 5, 5, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {1, 4, 9, 11, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {1, 2, 16, 17, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1},
        {1, 2, 6, 6, 5, 5, 5, 3, 3, 2, 2, 2, 2, 1, 1, 1},
        {1, 6, 33, 31, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {1, 6, 32, 32, 8, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 1},
        {1, 8, 28, 28, 9, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1},
        {2, 4, 8, 8, 6, 3, 2, 2, 1, 0, 1, 0, 1, 1, 2, 2},
        {1, 4, 20, 21, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},
        {1, 4, 12, 13, 4, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1, 1},
        {1, 12, 14, 14, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2},
        {1, 16, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4},
        {1, 32, 40, 40, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32},
        {1, 24, 15, 15, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 24},
        {1, 8, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8},
        {1, 6, 9, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 6},
        {1, 3, 2, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {1, 64, 3, 3, 10, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {1, 3, 30, 30, 17, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1},
        // strided layers on the phase layout: face-detection's 7x7 stride-2 first layer (asymmetric pads),
        // stride 2 in one direction only, stride 3, a stride-2 1x1 (gathered: kernel smaller than the stride)
        {1, 3, 40, 40, 32, 7, 7, 2, 2, 3, 3, 2, 2, 1, 1, 1},
        {1, 5, 11, 13, 9, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1},
        {1, 5, 11, 13, 9, 3, 3, 1, 2, 1, 1, 1, 1, 1, 1, 1},
        // head-pose's stride-2 layers (phase rows of 8-31 values read in pairs), an odd left pad of 3, no pad
        {1, 32, 60, 60, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {1, 6, 15, 15, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {1, 128, 15, 15, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {1, 2, 9, 37, 8, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1},
        {1, 2, 9, 36, 8, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1},
        // phase rows of 36 values: two whole steps and a masked last one
        {1, 2, 6, 70, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {1, 4, 10, 10, 8, 3, 3, 3, 3, 0, 0, 0, 0, 1, 1, 1},
        {1, 8, 20, 20, 12, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1},
        // output planes of <= 16 pixels and >= 32 channels: SmallPlaneConvolution (head-pose's 2x2 and 4x4
        // layers, a strided batch of 2 with a channel tail, dilation, one pixel, 9 pixels = a partial tile)
        {1, 256, 4, 4, 512, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {1, 128, 4, 4, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {2, 20, 7, 7, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {1, 33, 5, 3, 33, 3, 2, 2, 1, 1, 0, 1, 0, 2, 1, 1},
        {1, 7, 1, 1, 37, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {1, 9, 5, 5, 32, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        // planes of up to 100 pixels with >= 64 outputs: unpadded source, stride-2 phases, pads, 1x1 at 6x6,
        // a dilated stride-2 layer (gathered source)
        {1, 16, 10, 10, 64, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {1, 24, 9, 9, 70, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},
        {2, 12, 9, 9, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {1, 40, 6, 6, 65, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},
        {1, 8, 15, 15, 64, 3, 3, 2, 2, 1, 1, 1, 1, 2, 2, 1},
    };

    @Test
    void matchesTheDefinitionOnManyShapes() {
        Random r = new Random(11);
        for (int[] t : CASES) {
            check(r, t);
        }
    }

    @Test
    void matchesTheDefinitionOnRandomShapes() {
        Random r = new Random(3);
        for (int i = 0; i < 60; i++) {
            int groups = 1 + r.nextInt(3);
            int kh = 1 + r.nextInt(4);
            int kw = 1 + r.nextInt(4);
            int[] t = {1 + r.nextInt(2), groups * (1 + r.nextInt(6)), kh + r.nextInt(20), kw + r.nextInt(40),
                groups * (1 + r.nextInt(9)), kh, kw, 1 + r.nextInt(3), 1 + r.nextInt(2), r.nextInt(kh), r.nextInt(kw),
                r.nextInt(kh), r.nextInt(kw), 1, 1, groups};
            if (r.nextInt(4) == 0) {
                t[13] = 2;
                t[14] = 2;
                t[2] += 2 * kh;
                t[3] += 2 * kw;
            }
            check(r, t);
        }
    }

    /**
     * Split over 2, 3 and 5 threads (every layer split, whatever its size; with a block of scratch per extra thread
     * for the Winograd layers), the output equals the single-thread run bit for bit: row ranges that end inside a tile, ranges shorter than a tile, input-channel ranges of the
     * prepared planes. Small planes split by blocks of output channels (head-pose's 256 -> 512: eight blocks; 70
     * outputs: two, the second partial). Layers {@link TiledConvolution#splits} refuses (batches, groups) run whole.
     */
    @Test
    void splitOverThreadsIsBitIdentical() {
        Random r = new Random(5);
        Parallel[] pools = {Parallel.create(2, 0), Parallel.create(3, 0), Parallel.create(5, 0)};
        try {
            int split = 0;
            for (int[] t : CASES) {
                TiledConvolution conv = convolution(r, t);
                float[] x = random(r, t[0] * t[1] * t[2] * t[3]);
                float[] want = new float[t[0] * t[4] * outSize(t, 2) * outSize(t, 3)];
                conv.run(x, want, new float[conv.scratchFloats()]);
                for (Parallel p : pools) {
                    float[] got = new float[want.length];
                    float[] scratch = new float[conv.scratchFloats() + (p.threads() - 1) * conv.workerScratchFloats()];
                    java.util.Arrays.fill(scratch, Float.NaN);
                    conv.run(x, got, scratch, p);
                    assertArrayEquals(want, got, java.util.Arrays.toString(t) + " on " + p);
                }
                // the direct tiles split by rows; Winograd layers (WinogradTilesTest) split their own way
                boolean winograd = TiledLayout.winograd(t[1], t[4], outSize(t, 2), outSize(t, 3), t[5], t[6], t[7], t[8],
                        t[13], t[14], t[15]);
                boolean splittable = t[0] == 1 && t[15] == 1 && !winograd
                        && !TiledLayout.smallPlane(1, outSize(t, 2), outSize(t, 3), t[4], t[5], t[6]);
                assertEquals(splittable, conv.splits(pools[0]), java.util.Arrays.toString(t));
                split += splittable ? 1 : 0;
            }
            assertTrue(split >= 15, "most cases take the split path, got " + split);
        } finally {
            for (Parallel p : pools) {
                p.close();
            }
        }
    }

    /** Output height (axis 2) or width (axis 3) of case t. */
    static int outSize(int[] t, int axis) {
        int in = t[axis], k = t[axis + 3], s = t[axis + 5], p = t[axis + 7], pEnd = t[axis + 9], d = t[axis + 11];
        return (in + p + pEnd - ((k - 1) * d + 1)) / s + 1;
    }

    private static TiledConvolution convolution(Random r, int[] t) {
        float[] wt = random(r, t[4] * (t[1] / t[15]) * t[5] * t[6]);
        return new TiledConvolution(wt, t[0], t[1], t[2], t[3], t[4], outSize(t, 2), outSize(t, 3), t[5], t[6], t[7],
                t[8], t[9], t[10], t[13], t[14], t[15]);
    }

    private static void check(Random r, int[] t) {
        int n = t[0], c = t[1], h = t[2], w = t[3], oc = t[4], kh = t[5], kw = t[6], sh = t[7], sw = t[8];
        int ph = t[9], pw = t[10], phEnd = t[11], pwEnd = t[12], dh = t[13], dw = t[14], g = t[15];
        int oh = (h + ph + phEnd - ((kh - 1) * dh + 1)) / sh + 1;
        int ow = (w + pw + pwEnd - ((kw - 1) * dw + 1)) / sw + 1;
        String label = java.util.Arrays.toString(t);
        float[] x = random(r, n * c * h * w);
        float[] wt = random(r, oc * (c / g) * kh * kw);
        TiledConvolution conv = new TiledConvolution(wt, n, c, h, w, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, g);
        assertEquals(TiledLayout.scratchFloats(c, h, w, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, g),
                conv.scratchFloats(), label);
        float[] got = new float[n * oc * oh * ow];
        java.util.Arrays.fill(got, Float.NaN);
        float[] scratch = new float[conv.scratchFloats() + 5];
        java.util.Arrays.fill(scratch, Float.NaN); // stale scratch must not leak into the result
        conv.run(x, got, scratch);
        int icg = c / g, ocg = oc / g, k = icg * kh * kw;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = 0;
                        double abs = 0;
                        for (int ic = 0; ic < icg; ic++) {
                            for (int ky = 0; ky < kh; ky++) {
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        double p = (double) wt[((o * icg + ic) * kh + ky) * kw + kx]
                                                * x[((b * c + (o / ocg) * icg + ic) * h + iy) * w + ix];
                                        s += p;
                                        abs += Math.abs(p);
                                    }
                                }
                            }
                        }
                        int at = ((b * oc + o) * oh + oy) * ow + ox;
                        double bound = 1.01 * (k + 1) * U * abs;
                        double err = Math.abs(got[at] - (float) s);
                        assertTrue(err <= bound, label + " output " + at + ": " + got[at] + " vs " + (float) s
                                + ", error " + err + " > bound " + bound);
                    }
                }
            }
        }
    }

    static float[] random(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) (r.nextGaussian());
        }
        return v;
    }
}
