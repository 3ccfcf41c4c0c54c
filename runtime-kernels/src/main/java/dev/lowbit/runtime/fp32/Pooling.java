package dev.lowbit.runtime.fp32;

/**
 * 2-D max and average pooling over NCHW planes. Windows start at oy*sh - ph; the output size (floor or
 * ceil rounding) is the caller's, and window parts outside the input are skipped. Stateless, thread-safe
 * when callers pass distinct buffers.
 */
public final class Pooling {
    private Pooling() {}

    /** Max over each window of each of {@code planes} (= N*C) planes; padding never wins. */
    public static void maxPool(float[] x, float[] y, int planes, int h, int w, int oh, int ow,
            int kh, int kw, int sh, int sw, int ph, int pw) {
        for (int p = 0; p < planes; p++) {
            int xp = p * h * w;
            int yp = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(oy * sh - ph, 0);
                int y1 = Math.min(oy * sh - ph + kh, h);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = Math.max(ox * sw - pw, 0);
                    int x1 = Math.min(ox * sw - pw + kw, w);
                    float m = Float.NEGATIVE_INFINITY;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            m = Math.max(m, x[xp + iy * w + ix]);
                        }
                    }
                    y[yp + oy * ow + ox] = m;
                }
            }
        }
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
