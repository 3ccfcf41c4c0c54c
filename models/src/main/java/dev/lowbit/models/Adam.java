package dev.lowbit.models;

import java.util.List;

/**
 * The Adam optimizer (Kingma and Ba, 2015) with bias correction, over a fixed list of float parameter
 * arrays. Deterministic: plain Java arithmetic and {@link StrictMath}. Not thread-safe.
 */
public final class Adam {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    private final List<float[]> parameters;
    private final float[][] m;
    private final float[][] v;
    private int step;

    public Adam(List<float[]> parameters) {
        this.parameters = parameters;
        this.m = parameters.stream().map(p -> new float[p.length]).toArray(float[][]::new);
        this.v = parameters.stream().map(p -> new float[p.length]).toArray(float[][]::new);
    }

    /** One update with learning rate {@code lr} from gradients ordered like the parameters. */
    public void step(float[][] gradients, double lr) {
        step++;
        double c1 = 1 - StrictMath.pow(BETA1, step);
        double c2 = 1 - StrictMath.pow(BETA2, step);
        for (int t = 0; t < m.length; t++) {
            float[] p = parameters.get(t);
            float[] g = gradients[t];
            float[] mt = m[t];
            float[] vt = v[t];
            for (int i = 0; i < p.length; i++) {
                mt[i] = (float) (BETA1 * mt[i] + (1 - BETA1) * g[i]);
                vt[i] = (float) (BETA2 * vt[i] + (1 - BETA2) * g[i] * g[i]);
                p[i] -= (float) (lr * (mt[i] / c1) / (Math.sqrt(vt[i] / c2) + EPSILON));
            }
        }
    }
}
