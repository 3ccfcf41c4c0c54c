package dev.lowbit.models;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The small Fashion-MNIST classifier with its own forward and backward pass, written for exactly this
 * architecture (the trainer's engine, not a general framework):
 * <pre>
 *   input [1,1,28,28] = pixel / 255
 *   conv1 3x3 pad 1 (1 -> 16) + bias, ReLU, max-pool 2x2   -> [16,14,14]
 *   conv2 3x3 pad 1 (16 -> 32) + bias, ReLU, max-pool 2x2  -> [32,7,7]
 *   flatten (C,H,W order) -> fc1 (1568 -> 64) + bias, ReLU -> fc2 (64 -> 10) + bias = logits
 * </pre>
 * Parameters are float arrays in the IR's layouts (conv weights [Cout][Cin][3][3], fc weights [out][in]),
 * so export is a copy. All arithmetic is plain Java float/double arithmetic in a fixed order, which Java
 * specifies bit for bit: the same seed and data give the same weights on every machine. The parameter
 * arrays are mutated by the optimizer and are not thread-safe; a {@link Workspace} belongs to one thread.
 */
public final class FashionCnn {
    static final int SIDE = 28;
    static final int C1 = 16;
    static final int P1 = 14;
    static final int C2 = 32;
    static final int P2 = 7;
    static final int FLAT = C2 * P2 * P2;
    static final int HIDDEN = 64;
    static final int CLASSES = 10;
    private static final int K1 = 9;
    private static final int K2 = C1 * 9;
    private static final int HW1 = SIDE * SIDE;
    private static final int HW2 = P1 * P1;

    final float[] w1 = new float[C1 * K1];
    final float[] b1 = new float[C1];
    final float[] w2 = new float[C2 * K2];
    final float[] b2 = new float[C2];
    final float[] w3 = new float[HIDDEN * FLAT];
    final float[] b3 = new float[HIDDEN];
    final float[] w4 = new float[CLASSES * HIDDEN];
    final float[] b4 = new float[CLASSES];

    /** He-normal weights (std sqrt(2 / fan_in)) from a seeded {@link Random}, whose sequence Java specifies; zero biases. */
    public static FashionCnn initialized(long seed) {
        FashionCnn m = new FashionCnn();
        Random r = new Random(seed);
        heNormal(r, m.w1, K1);
        heNormal(r, m.w2, K2);
        heNormal(r, m.w3, FLAT);
        heNormal(r, m.w4, HIDDEN);
        return m;
    }

    private static void heNormal(Random r, float[] w, int fanIn) {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * std);
        }
    }

    /** The parameter arrays in a fixed order (w1 b1 w2 b2 w3 b3 w4 b4); gradients use the same order. */
    public List<float[]> parameters() {
        return List.of(w1, b1, w2, b2, w3, b3, w4, b4);
    }

    /** Zeroed arrays shaped like {@link #parameters()}, for gradients. */
    public float[][] newGradients() {
        return parameters().stream().map(p -> new float[p.length]).toArray(float[][]::new);
    }

    /** Activations and gradient scratch for one image at a time; confined to one thread. */
    public static final class Workspace {
        final float[] col1 = new float[K1 * HW1];
        final float[] out1 = new float[C1 * HW1];
        final float[] pool1 = new float[C1 * HW2];
        final int[] arg1 = new int[C1 * HW2];
        final float[] col2 = new float[K2 * HW2];
        final float[] col2T = new float[HW2 * K2];
        final float[] out2 = new float[C2 * HW2];
        final float[] h0 = new float[FLAT];
        final int[] arg2 = new int[FLAT];
        final float[] h1 = new float[HIDDEN];
        final float[] logits = new float[CLASSES];
        final float[] probs = new float[CLASSES];
        final float[] dh1 = new float[HIDDEN];
        final float[] dh0 = new float[FLAT];
        final float[] dcol2T = new float[HW2 * K2];
        final float[] dpool1 = new float[C1 * HW2];

        public float[] logits() {
            return logits;
        }
    }

    /** Runs the network on one image ({@code x} = 784 scaled pixels); logits land in {@code ws.logits()}. */
    public void forward(float[] x, Workspace ws) {
        im2col3x3(x, 1, SIDE, ws.col1);
        conv(w1, b1, ws.col1, C1, K1, HW1, ws.out1);
        reluPool(ws.out1, C1, SIDE, ws.pool1, ws.arg1);
        im2col3x3(ws.pool1, C1, P1, ws.col2);
        conv(w2, b2, ws.col2, C2, K2, HW2, ws.out2);
        reluPool(ws.out2, C2, P1, ws.h0, ws.arg2);
        dense(w3, b3, ws.h0, FLAT, HIDDEN, ws.h1);
        for (int i = 0; i < HIDDEN; i++) {
            ws.h1[i] = Math.max(0f, ws.h1[i]);
        }
        dense(w4, b4, ws.h1, HIDDEN, CLASSES, ws.logits);
    }

    /** Index of the largest logit after {@link #forward}. */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Forward and backward for one image with softmax cross-entropy; adds {@code scale} times the gradient
     * of the loss to {@code g} (ordered as {@link #parameters()}). Returns the loss.
     */
    public double accumulateGradient(float[] x, int label, float scale, Workspace ws, float[][] g) {
        forward(x, ws);
        double loss = softmaxCrossEntropy(ws.logits, label, ws.probs);
        float[] gw1 = g[0], gb1 = g[1], gw2 = g[2], gb2 = g[3], gw3 = g[4], gb3 = g[5], gw4 = g[6], gb4 = g[7];

        // fc2: dlogits = (p - onehot) * scale
        Arrays.fill(ws.dh1, 0f);
        for (int j = 0; j < CLASSES; j++) {
            float d = (ws.probs[j] - (j == label ? 1f : 0f)) * scale;
            gb4[j] += d;
            axpy(d, ws.h1, 0, gw4, j * HIDDEN, HIDDEN);
            axpy(d, w4, j * HIDDEN, ws.dh1, 0, HIDDEN);
        }
        // fc1 through its ReLU
        Arrays.fill(ws.dh0, 0f);
        for (int i = 0; i < HIDDEN; i++) {
            float d = ws.h1[i] > 0f ? ws.dh1[i] : 0f;
            if (d != 0f) {
                gb3[i] += d;
                axpy(d, ws.h0, 0, gw3, i * FLAT, FLAT);
                axpy(d, w3, i * FLAT, ws.dh0, 0, FLAT);
            }
        }
        // pool2 routes each gradient to its argmax; ReLU passes it where the conv output was positive.
        // Rows of the transposed im2col make the conv2 weight gradient a contiguous axpy per pixel.
        for (int k = 0; k < K2; k++) {
            for (int p = 0; p < HW2; p++) {
                ws.col2T[p * K2 + k] = ws.col2[k * HW2 + p];
            }
        }
        Arrays.fill(ws.dcol2T, 0f);
        for (int c = 0; c < C2; c++) {
            for (int q = 0; q < P2 * P2; q++) {
                int p = ws.arg2[c * P2 * P2 + q];
                float d = ws.out2[c * HW2 + p] > 0f ? ws.dh0[c * P2 * P2 + q] : 0f;
                if (d != 0f) {
                    gb2[c] += d;
                    axpy(d, ws.col2T, p * K2, gw2, c * K2, K2);
                    axpy(d, w2, c * K2, ws.dcol2T, p * K2, K2);
                }
            }
        }
        col2im3x3(ws.dcol2T, C1, P1, ws.dpool1);
        for (int c = 0; c < C1; c++) {
            for (int q = 0; q < HW2; q++) {
                int p = ws.arg1[c * HW2 + q];
                float d = ws.out1[c * HW1 + p] > 0f ? ws.dpool1[c * HW2 + q] : 0f;
                if (d != 0f) {
                    gb1[c] += d;
                    for (int k = 0; k < K1; k++) {
                        gw1[c * K1 + k] += d * ws.col1[k * HW1 + p];
                    }
                }
            }
        }
        return loss;
    }

    private static double softmaxCrossEntropy(float[] logits, int label, float[] probs) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int j = 0; j < logits.length; j++) {
            e[j] = StrictMath.exp(logits[j] - max);
            sum += e[j];
        }
        for (int j = 0; j < logits.length; j++) {
            probs[j] = (float) (e[j] / sum);
        }
        return -(logits[label] - max - StrictMath.log(sum));
    }

    /** col[(c*9 + ky*3 + kx)][y*side + x] = in[c][y+ky-1][x+kx-1], zero outside (padding 1). */
    private static void im2col3x3(float[] in, int channels, int side, float[] col) {
        int hw = side * side;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    int row = (c * 9 + ky * 3 + kx) * hw;
                    for (int y = 0; y < side; y++) {
                        int iy = y + ky - 1;
                        for (int x = 0; x < side; x++) {
                            int ix = x + kx - 1;
                            boolean inside = iy >= 0 && iy < side && ix >= 0 && ix < side;
                            col[row + y * side + x] = inside ? in[c * hw + iy * side + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col3x3}, from the transposed layout colT[p][k]. */
    private static void col2im3x3(float[] colT, int channels, int side, float[] out) {
        int hw = side * side;
        int k = channels * 9;
        Arrays.fill(out, 0f);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int p = y * side + x;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < 3; ky++) {
                        int iy = y + ky - 1;
                        if (iy < 0 || iy >= side) {
                            continue;
                        }
                        for (int kx = 0; kx < 3; kx++) {
                            int ix = x + kx - 1;
                            if (ix >= 0 && ix < side) {
                                out[c * hw + iy * side + ix] += colT[p * k + c * 9 + ky * 3 + kx];
                            }
                        }
                    }
                }
            }
        }
    }

    /** out[oc][p] = b[oc] + sum_k w[oc][k] * col[k][p]; the inner loop is a contiguous axpy the JIT vectorizes. */
    private static void conv(float[] w, float[] b, float[] col, int cout, int k, int hw, float[] out) {
        for (int oc = 0; oc < cout; oc++) {
            Arrays.fill(out, oc * hw, (oc + 1) * hw, b[oc]);
            for (int j = 0; j < k; j++) {
                axpy(w[oc * k + j], col, j * hw, out, oc * hw, hw);
            }
        }
    }

    /** ReLU then 2x2 max-pool stride 2; records for each pooled value the argmax position in its plane. */
    private static void reluPool(float[] in, int channels, int side, float[] out, int[] arg) {
        int half = side / 2;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < half; y++) {
                for (int x = 0; x < half; x++) {
                    int best = (2 * y) * side + 2 * x;
                    float bestV = in[c * side * side + best];
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int p = (2 * y + dy) * side + 2 * x + dx;
                            float v = in[c * side * side + p];
                            if (v > bestV) {
                                bestV = v;
                                best = p;
                            }
                        }
                    }
                    out[c * half * half + y * half + x] = Math.max(0f, bestV);
                    arg[c * half * half + y * half + x] = best;
                }
            }
        }
    }

    /** out[o] = b[o] + sum_i w[o][i] * in[i]. */
    private static void dense(float[] w, float[] b, float[] in, int nIn, int nOut, float[] out) {
        for (int o = 0; o < nOut; o++) {
            float s = 0f;
            for (int i = 0; i < nIn; i++) {
                s += w[o * nIn + i] * in[i];
            }
            out[o] = s + b[o];
        }
    }

    /** y[yOff + i] += a * x[xOff + i] for i in [0, n). */
    private static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }
}
