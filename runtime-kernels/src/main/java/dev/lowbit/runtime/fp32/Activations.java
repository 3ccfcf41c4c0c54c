package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Unary activations and PReLU. Transcendentals are evaluated in double and rounded once to float, as the
 * reference evaluator does. Stateless, thread-safe when callers pass distinct buffers.
 */
public final class Activations {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Activations() {}

    /**
     * y = max(x, 0), as {@link Math#max}: +0 for -0, NaN kept. Vectors as a compare and a blend, which give exactly
     * that: the vector max spends extra instructions on NaN and signed zeros (3 cycles per vector against about 1
     * here, by hand, 2026-12-03).
     */
    public static void relu(float[] x, float[] y, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(F);
        for (; i <= n - F.length(); i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    /** y = min(max(x, lo), hi). */
    public static void clamp(float[] x, float[] y, int n, float lo, float hi) {
        for (int i = 0; i < n; i++) {
            y[i] = Math.min(Math.max(x[i], lo), hi);
        }
    }

    /** y = 1 / (1 + e^-x), in double. */
    public static void sigmoid(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = (float) (1.0 / (1.0 + Math.exp(-(double) x[i])));
        }
    }

    /**
     * PReLU over an [outer][c][inner] view: y = x for x >= 0, else x * slope[ch] (slope of length c, or 1
     * for one shared slope).
     */
    public static void prelu(float[] x, float[] slope, float[] y, int outer, int c, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int ch = 0; ch < c; ch++) {
                float s = slope[slope.length == 1 ? 0 : ch];
                int base = (o * c + ch) * inner;
                // vectorized: the same single float multiply per negative element as the scalar tail (exact
                // either way); the scalar loop was a visible share of landmarks' time once convolutions got fast
                FloatVector sv = FloatVector.broadcast(F, s);
                int j = 0;
                for (; j <= inner - F.length(); j += F.length()) {
                    FloatVector v = FloatVector.fromArray(F, x, base + j);
                    v.blend(v.mul(sv), v.lt(0f)).intoArray(y, base + j);
                }
                for (; j < inner; j++) {
                    float v = x[base + j];
                    y[base + j] = v < 0f ? v * s : v;
                }
            }
        }
    }

    /** SoftMax along the middle axis of an [outer][c][inner] view, computed in double. */
    public static void softmax(float[] x, float[] y, int outer, int c, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int base = o * c * inner + j;
                double max = Double.NEGATIVE_INFINITY;
                for (int ch = 0; ch < c; ch++) {
                    max = Math.max(max, x[base + ch * inner]);
                }
                double sum = 0;
                for (int ch = 0; ch < c; ch++) {
                    sum += Math.exp(x[base + ch * inner] - max);
                }
                for (int ch = 0; ch < c; ch++) {
                    y[base + ch * inner] = (float) (Math.exp(x[base + ch * inner] - max) / sum);
                }
            }
        }
    }
}
