package dev.lowbit.benchmarks.baseline;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 baseline for the int8 fully connected layer at batch 1: weights packed {@code [out/16][in][16]} so each
 * broadcast input multiplies 32 outputs with FMA, two input steps in flight. Outputs a multiple of 32, inputs
 * even. Immutable and thread-safe.
 */
public final class Fp32Gemv {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private final int inputs, outputs;
    private final float[] weights;

    public Fp32Gemv(int inputs, int outputs, float[] w) {
        if (outputs % 32 != 0 || inputs % 2 != 0) {
            throw new IllegalArgumentException("baseline supports outputs % 32 == 0 and even inputs");
        }
        this.inputs = inputs;
        this.outputs = outputs;
        this.weights = new float[inputs * outputs];
        for (int n = 0; n < outputs; n++) {
            for (int k = 0; k < inputs; k++) {
                weights[((n / 16) * inputs + k) * 16 + n % 16] = w[n * inputs + k];
            }
        }
    }

    public void run(float[] x, float[] bias, float[] y) {
        int k = inputs;
        for (int b = 0; b < outputs; b += 32) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, c0 = a0, c1 = a0;
            int wo = b * k;
            int wo2 = wo + 16 * k;
            for (int i = 0; i < k; i += 2) {
                FloatVector x0 = FloatVector.broadcast(F, x[i]);
                FloatVector x1 = FloatVector.broadcast(F, x[i + 1]);
                a0 = x0.fma(FloatVector.fromArray(F, weights, wo + i * 16), a0);
                a1 = x0.fma(FloatVector.fromArray(F, weights, wo2 + i * 16), a1);
                c0 = x1.fma(FloatVector.fromArray(F, weights, wo + i * 16 + 16), c0);
                c1 = x1.fma(FloatVector.fromArray(F, weights, wo2 + i * 16 + 16), c1);
            }
            a0.add(c0).add(FloatVector.fromArray(F, bias, b)).intoArray(y, b);
            a1.add(c1).add(FloatVector.fromArray(F, bias, b + 16)).intoArray(y, b + 16);
        }
    }
}
