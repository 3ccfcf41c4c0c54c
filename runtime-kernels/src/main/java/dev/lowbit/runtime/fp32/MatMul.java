package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.Vector;
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
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Double>> D_TYPE = D.vectorType();

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

    /**
     * The same product in f32 with FMA (float models, where no FakeQuantize follows: see {@link TiledConvolution}):
     * with transB (the fully connected case) each output is a dot product of two contiguous rows in four
     * independent vector accumulators; without it each output row accumulates a(i, p) times row p of b, vectorized
     * along the row. Relative error about k * 2^-24 of sum |a * b| per output.
     */
    public static void matmulF32(float[] a, float[] b, float[] y, int batch, int m, int n, int k,
            boolean transA, boolean transB, int aStride, int bStride) {
        for (int t = 0; t < batch; t++) {
            int a0 = t * aStride;
            int b0 = t * bStride;
            int y0 = t * m * n;
            for (int i = 0; i < m; i++) {
                int yRow = y0 + i * n;
                if (transB) {
                    for (int j = 0; j < n; j++) {
                        y[yRow + j] = transA ? dotColumnF32(a, a0 + i, m, b, b0 + j * k, k) : dotF32(a, a0 + i * k, b, b0 + j * k, k);
                    }
                    continue;
                }
                java.util.Arrays.fill(y, yRow, yRow + n, 0f);
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[a0 + p * m + i] : a[a0 + i * k + p];
                    axpyF32(av, b, b0 + p * n, y, yRow, n);
                }
            }
        }
    }

    private static final VectorSpecies<Float> FF = FloatVector.SPECIES_PREFERRED;

    /** sum of x[xi + p] * w[wi + p], p < k, in f32: four accumulators of FF lanes, scalar FMA tail. */
    private static float dotF32(float[] x, int xi, float[] w, int wi, int k) {
        int l = FF.length();
        FloatVector s0 = FloatVector.zero(FF);
        FloatVector s1 = FloatVector.zero(FF);
        FloatVector s2 = FloatVector.zero(FF);
        FloatVector s3 = FloatVector.zero(FF);
        int p = 0;
        for (; p <= k - 4 * l; p += 4 * l) {
            s0 = FloatVector.fromArray(FF, x, xi + p).fma(FloatVector.fromArray(FF, w, wi + p), s0);
            s1 = FloatVector.fromArray(FF, x, xi + p + l).fma(FloatVector.fromArray(FF, w, wi + p + l), s1);
            s2 = FloatVector.fromArray(FF, x, xi + p + 2 * l).fma(FloatVector.fromArray(FF, w, wi + p + 2 * l), s2);
            s3 = FloatVector.fromArray(FF, x, xi + p + 3 * l).fma(FloatVector.fromArray(FF, w, wi + p + 3 * l), s3);
        }
        for (; p <= k - l; p += l) {
            s0 = FloatVector.fromArray(FF, x, xi + p).fma(FloatVector.fromArray(FF, w, wi + p), s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s = Math.fma(x[xi + p], w[wi + p], s);
        }
        return s;
    }

    /** sum of a[ai + p * m] * w[wi + p] in f32 (transposed a: its column is strided). */
    private static float dotColumnF32(float[] a, int ai, int m, float[] w, int wi, int k) {
        float s = 0f;
        for (int p = 0; p < k; p++) {
            s = Math.fma(a[ai + p * m], w[wi + p], s);
        }
        return s;
    }

    /** y[yi + j] += av * b[bi + j] for j < n, f32 FMA. */
    private static void axpyF32(float av, float[] b, int bi, float[] y, int yi, int n) {
        FloatVector v = FloatVector.broadcast(FF, av);
        int j = 0;
        for (; j <= n - FF.length(); j += FF.length()) {
            FloatVector.fromArray(FF, b, bi + j).fma(v, FloatVector.fromArray(FF, y, yi + j)).intoArray(y, yi + j);
        }
        for (; j < n; j++) {
            y[yi + j] = Math.fma(av, b[bi + j], y[yi + j]);
        }
    }

    /** sum of x[xi + p] * w[wi + p] for p < k in double: float lanes widened, FMA per lane, explicit tail. */
    private static double dot(float[] x, int xi, float[] w, int wi, int k) {
        DoubleVector acc = DoubleVector.zero(D);
        int p = 0;
        for (; p <= k - D.length(); p += D.length()) {
            DoubleVector xv = (DoubleVector) D_TYPE.cast(FloatVector.fromArray(F, x, xi + p)
                    .convertShape(VectorOperators.F2D, D, 0));
            DoubleVector wv = (DoubleVector) D_TYPE.cast(FloatVector.fromArray(F, w, wi + p)
                    .convertShape(VectorOperators.F2D, D, 0));
            acc = xv.fma(wv, acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            s += (double) x[xi + p] * w[wi + p];
        }
        return s;
    }
}
