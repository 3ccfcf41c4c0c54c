package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MatMul#matmulF32} against the definition in double, every transpose combination, broadcast and batched
 * operands, lengths around the vector width (tails). Tolerance per output (k + 1) * 2^-24 * sum |a * b| (times
 * 1.01): every partial sum, in whichever order the accumulators add them, is rounded once per operation and never
 * exceeds sum |a * b|, and no product passes through more than k such roundings; "+ 1" for the reference's own
 * rounding to float.
 */
class MatMulF32Test {
    @Test
    void matchesTheDefinition() {
        Random r = new Random(7);
        int[][] cases = { // batch, m, n, k, aBatched, bBatched
            {1, 1, 10, 1024, 0, 0}, {1, 1, 7, 3, 0, 0}, {2, 3, 5, 17, 1, 0}, {3, 4, 33, 65, 1, 1},
            {1, 5, 16, 16, 0, 0}, {2, 2, 70, 9, 0, 1}, {1, 1, 1, 200, 0, 0},
        };
        for (int[] t : cases) {
            for (int ta = 0; ta < 2; ta++) {
                for (int tb = 0; tb < 2; tb++) {
                    check(r, t, ta == 1, tb == 1);
                }
            }
        }
    }

    private static void check(Random r, int[] t, boolean ta, boolean tb) {
        int batch = t[0], m = t[1], n = t[2], k = t[3];
        int aStride = t[4] == 1 ? m * k : 0;
        int bStride = t[5] == 1 ? k * n : 0;
        float[] a = random(r, (t[4] == 1 ? batch : 1) * m * k);
        float[] b = random(r, (t[5] == 1 ? batch : 1) * k * n);
        float[] y = new float[batch * m * n];
        MatMul.matmulF32(a, b, y, batch, m, n, k, ta, tb, aStride, bStride);
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double abs = 0;
                    for (int p = 0; p < k; p++) {
                        float av = ta ? a[s * aStride + p * m + i] : a[s * aStride + i * k + p];
                        float bv = tb ? b[s * bStride + j * k + p] : b[s * bStride + p * n + j];
                        sum += (double) av * bv;
                        abs += Math.abs((double) av * bv);
                    }
                    float got = y[(s * m + i) * n + j];
                    double bound = 1.01 * (k + 1) * Math.scalb(1.0, -24) * abs;
                    assertTrue(Math.abs(got - (float) sum) <= bound, java.util.Arrays.toString(t) + " ta " + ta + " tb "
                            + tb + " y[" + s + "][" + i + "][" + j + "] = " + got + ", want " + (float) sum);
                }
            }
        }
    }

    private static float[] random(Random r, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
