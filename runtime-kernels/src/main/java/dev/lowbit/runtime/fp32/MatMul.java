package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batched matrix product y = op(a) * op(b) with op = optional transpose of the last two axes, dot products
 * accumulated in double and rounded once (as the reference evaluator does). Stateless, thread-safe when
 * callers pass distinct buffers.
 */
public final class MatMul {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

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
                    double s;
                    if (!transA && transB) {
                        s = dot(a, a0 + i * k, b, b0 + j * k, k); // both rows contiguous: the fully connected case
                    } else {
                        s = 0;
                        for (int p = 0; p < k; p++) {
                            float av = transA ? a[a0 + p * m + i] : a[a0 + i * k + p];
                            float bv = transB ? b[b0 + j * k + p] : b[b0 + p * n + j];
                            s += (double) av * bv;
                        }
                    }
                    y[y0 + i * n + j] = (float) s;
                }
            }
        }
    }

    /** sum of x[xi + p] * w[wi + p] for p < k in double: float lanes widened, FMA per lane, explicit tail. */
    private static double dot(float[] x, int xi, float[] w, int wi, int k) {
        DoubleVector acc = DoubleVector.zero(D);
        int p = 0;
        for (; p <= k - D.length(); p += D.length()) {
            DoubleVector xv = (DoubleVector) FloatVector.fromArray(F, x, xi + p).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector wv = (DoubleVector) FloatVector.fromArray(F, w, wi + p).convertShape(VectorOperators.F2D, D, 0);
            acc = xv.fma(wv, acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s += (double) x[xi + p] * w[wi + p];
        }
        return s;
    }
}
