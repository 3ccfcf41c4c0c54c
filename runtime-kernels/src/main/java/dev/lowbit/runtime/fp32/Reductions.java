package dev.lowbit.runtime.fp32;

/** ReduceMean over an [outer][r][inner] view (the reduced axes made contiguous), summed in double. Stateless, thread-safe. */
public final class Reductions {
    private Reductions() {}

    /** y[o][j] = mean over k < r of x[o][k][j]. */
    public static void mean(float[] x, float[] y, int outer, int r, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += x[(o * r + k) * inner + j];
                }
                y[o * inner + j] = (float) (s / r);
            }
        }
    }
}
