package dev.lowbit.runtime.fp32;

/**
 * 2-D convolution in NCHW, with groups (depthwise when groups equals channels), strides, pads and
 * dilation. Products are accumulated in double in a per-row scratch and rounded to float once, so the
 * result is independent of summation order and matches the reference evaluator to the last bit in
 * almost every element (that matters before a FakeQuantize, where one ulp can move a value across a
 * rounding boundary). Stateless, thread-safe when callers pass distinct buffers.
 */
public final class Convolution {
    private Convolution() {}

    /**
     * y[n][oc][oy][ox] = sum over ic in the group, ky, kx of w[oc][ic][ky][kx] * x[n][g*icg+ic][iy][ix]
     * with iy = oy*sh - ph + ky*dh (likewise x); positions outside the input count as zero.
     *
     * @param w   weights [oc][c/groups][kh][kw] (GroupConvolution's [g][oc/g][c/g][kh][kw] is the same layout)
     * @param acc scratch of at least {@code ow} doubles
     */
    public static void conv2d(float[] x, float[] w, float[] y, double[] acc, int n, int c, int h, int wd,
            int oc, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        int icg = c / groups;
        int ocg = oc / groups;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                int g = o / ocg;
                for (int oy = 0; oy < oh; oy++) {
                    java.util.Arrays.fill(acc, 0, ow, 0.0);
                    for (int ic = 0; ic < icg; ic++) {
                        int xPlane = ((b * c) + g * icg + ic) * h * wd;
                        int wBase = (o * icg + ic) * kh * kw;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * sh - ph + ky * dh;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            accumulateRow(x, xPlane + iy * wd, wd, w, wBase + ky * kw, kw, acc, ow, sw, pw, dw);
                        }
                    }
                    int yRow = ((b * oc + o) * oh + oy) * ow;
                    for (int ox = 0; ox < ow; ox++) {
                        y[yRow + ox] = (float) acc[ox];
                    }
                }
            }
        }
    }

    /** Adds one input row times the kw taps of one kernel row into acc; the valid ox range is computed per tap. */
    private static void accumulateRow(float[] x, int xRow, int wd, float[] w, int wRow, int kw, double[] acc,
            int ow, int sw, int pw, int dw) {
        for (int kx = 0; kx < kw; kx++) {
            double wv = w[wRow + kx];
            int shift = kx * dw - pw;
            // ix = ox*sw + shift must lie in [0, wd): ox in [first, last)
            int first = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
            int last = Math.min(ow, wd - shift <= 0 ? 0 : (wd - shift + sw - 1) / sw);
            if (sw == 1) {
                // unit stride: a contiguous loop C2 vectorizes (float->double convert, multiply, add)
                for (int ox = first; ox < last; ox++) {
                    acc[ox] += wv * x[xRow + ox + shift];
                }
            } else {
                for (int ox = first; ox < last; ox++) {
                    acc[ox] += wv * x[xRow + ox * sw + shift];
                }
            }
        }
    }

    /**
     * ConvolutionBackpropData (transposed convolution), NCHW: every input pixel scatters w[ic][oc][ky][kx]
     * times its value to output (iy*sh - ph + ky*dh, ix*sw - pw + kx*dw). Accumulates in double.
     *
     * @param w   weights [c][oc][kh][kw]
     * @param acc scratch of at least {@code oh*ow} doubles
     */
    public static void deconv2d(float[] x, float[] w, float[] y, double[] acc, int n, int c, int h, int wd,
            int oc, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                java.util.Arrays.fill(acc, 0, oh * ow, 0.0);
                for (int ic = 0; ic < c; ic++) {
                    int xPlane = (b * c + ic) * h * wd;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            double wv = w[((ic * oc + o) * kh + ky) * kw + kx];
                            for (int iy = 0; iy < h; iy++) {
                                int oy = iy * sh - ph + ky * dh;
                                if (oy < 0 || oy >= oh) {
                                    continue;
                                }
                                for (int ix = 0; ix < wd; ix++) {
                                    int ox = ix * sw - pw + kx * dw;
                                    if (ox >= 0 && ox < ow) {
                                        acc[oy * ow + ox] += wv * x[xPlane + iy * wd + ix];
                                    }
                                }
                            }
                        }
                    }
                }
                int yPlane = (b * oc + o) * oh * ow;
                for (int i = 0; i < oh * ow; i++) {
                    y[yPlane + i] = (float) acc[i];
                }
            }
        }
    }
}
