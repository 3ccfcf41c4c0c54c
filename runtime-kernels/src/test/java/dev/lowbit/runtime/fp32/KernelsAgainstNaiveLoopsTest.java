package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blocked convolution and MatMul kernels against the definition written as plain nested loops (double sums rounded
 * once), over shapes that exercise the channel blocks, group boundaries inside a block, strides, pads,
 * dilations and clipped borders. Both sides round one double sum per output, so they agree exactly.
 */
class KernelsAgainstNaiveLoopsTest {
    @Test
    void convolutionMatchesTheDefinition() {
        Random r = new Random(5);
        int[][] cases = { // n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups
            {1, 3, 7, 9, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1},
            {2, 4, 8, 8, 6, 3, 2, 2, 1, 0, 1, 1, 2, 2},
            {1, 6, 9, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6},
            {1, 5, 5, 5, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1},
            {1, 2, 6, 6, 5, 5, 5, 3, 3, 2, 2, 1, 1, 1},
        };
        for (int[] t : cases) {
            int n = t[0], c = t[1], h = t[2], w = t[3], oc = t[4], kh = t[5], kw = t[6], sh = t[7], sw = t[8];
            int ph = t[9], pw = t[10], dh = t[11], dw = t[12], g = t[13];
            int oh = (h + 2 * ph - ((kh - 1) * dh + 1)) / sh + 1;
            int ow = (w + 2 * pw - ((kw - 1) * dw + 1)) / sw + 1;
            float[] x = random(r, n * c * h * w);
            float[] wt = random(r, oc * (c / g) * kh * kw);
            float[] got = new float[n * oc * oh * ow];
            Convolution.conv2d(x, wt, got, new double[Convolution.BLOCK * ow], n, c, h, w, oc, oh, ow, kh, kw, sh, sw,
                    ph, pw, dh, dw, g);
            float[] want = new float[got.length];
            int icg = c / g, ocg = oc / g;
            for (int b = 0; b < n; b++) {
                for (int o = 0; o < oc; o++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            double s = 0;
                            for (int ic = 0; ic < icg; ic++) {
                                for (int ky = 0; ky < kh; ky++) {
                                    for (int kx = 0; kx < kw; kx++) {
                                        int iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                            s += (double) wt[((o * icg + ic) * kh + ky) * kw + kx]
                                                    * x[((b * c + (o / ocg) * icg + ic) * h + iy) * w + ix];
                                        }
                                    }
                                }
                            }
                            want[((b * oc + o) * oh + oy) * ow + ox] = (float) s;
                        }
                    }
                }
            }
            assertArrayEquals(want, got, 0f, java.util.Arrays.toString(t));
        }
    }

    @Test
    void transposedConvolutionMatchesTheDefinition() {
        Random r = new Random(6);
        int n = 1, c = 3, h = 4, w = 5, oc = 2, kh = 3, kw = 3, sh = 3, sw = 3, ph = 1, pw = 0, dh = 1, dw = 1;
        int oh = (h - 1) * sh - 2 * ph + (kh - 1) * dh + 1;
        int ow = (w - 1) * sw - 2 * pw + (kw - 1) * dw + 1;
        float[] x = random(r, n * c * h * w);
        float[] wt = random(r, c * oc * kh * kw);
        float[] got = new float[oc * oh * ow];
        Convolution.deconv2d(x, wt, got, new double[oh * ow], n, c, h, w, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
        double[] want = new double[got.length];
        for (int o = 0; o < oc; o++) {
            for (int ic = 0; ic < c; ic++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < w; ix++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int oy = iy * sh - ph + ky * dh, ox = ix * sw - pw + kx * dw;
                                if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                                    want[(o * oh + oy) * ow + ox] += (double) wt[((ic * oc + o) * kh + ky) * kw + kx]
                                            * x[(ic * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] wantF = new float[want.length];
        for (int i = 0; i < want.length; i++) {
            wantF[i] = (float) want[i];
        }
        // different summation order in double: equal after rounding to float except in astronomically rare ties
        assertArrayEquals(wantF, got, 0f);
    }

    @Test
    void matMulMatchesTheDefinitionForEveryTransposeCombination() {
        Random r = new Random(7);
        int batch = 2, m = 3, n = 5, k = 37; // k not a multiple of any vector length: the tail runs
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[] a = random(r, batch * m * k);
                float[] b = random(r, k * n); // one b broadcast over the batch
                float[] got = new float[batch * m * n];
                MatMul.matmul(a, b, got, batch, m, n, k, ta, tb, m * k, 0);
                float[] want = new float[got.length];
                for (int t = 0; t < batch; t++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) {
                                s += (double) (ta ? a[t * m * k + p * m + i] : a[t * m * k + i * k + p])
                                        * (tb ? b[j * k + p] : b[p * n + j]);
                            }
                            want[(t * m + i) * n + j] = (float) s;
                        }
                    }
                }
                assertArrayEquals(want, got, 0f, "transA " + ta + " transB " + tb);
            }
        }
    }

    private static float[] random(Random r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
