package dev.lowbit.runtime.fp32;

/**
 * Batched matrix product y = op(a) * op(b) with op = optional transpose of the last two axes, dot products
 * accumulated in double and rounded once (as the reference evaluator does). Stateless, thread-safe when
 * callers pass distinct buffers.
 */
public final class MatMul {
    private MatMul() {}

    /**
     * @param aStride elements between batches of a (0 to broadcast one matrix over the batch)
     * @param bStride elements between batches of b (0 to broadcast)
     * @param transA  a is stored [k][m] instead of [m][k]
     * @param transB  b is stored [n][k] instead of [k][n]
     */
    public static void matmul(float[] a, float[] b, float[] y, int batch, int m, int n, int k,
            boolean transA, boolean transB, int aStride, int bStride) {
        for (int t = 0; t < batch; t++) {
            int a0 = t * aStride;
            int b0 = t * bStride;
            int y0 = t * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[a0 + p * m + i] : a[a0 + i * k + p];
                        float bv = transB ? b[b0 + j * k + p] : b[b0 + p * n + j];
                        s += (double) av * bv;
                    }
                    y[y0 + i * n + j] = (float) s;
                }
            }
        }
    }
}
