package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FashionCnnTest {
    private static float[] randomImage(Random r) {
        float[] x = new float[28 * 28];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256) / 255f;
        }
        return x;
    }

    @Test
    void backwardPassMatchesFiniteDifferences() {
        FashionCnn m = FashionCnn.initialized(5);
        float[] x = randomImage(new Random(9));
        int label = 3;
        FashionCnn.Workspace ws = new FashionCnn.Workspace();
        float[][] g = m.newGradients();
        m.accumulateGradient(x, label, 1f, ws, g);
        List<float[]> params = m.parameters();
        for (int t = 0; t < params.size(); t++) {
            float[] p = params.get(t);
            // The three largest gradient entries of each tensor: a strong signal against float noise.
            Integer[] idx = new Integer[p.length];
            for (int i = 0; i < p.length; i++) {
                idx[i] = i;
            }
            float[] gt = g[t];
            java.util.Arrays.sort(idx, (a, b) -> Float.compare(Math.abs(gt[b]), Math.abs(gt[a])));
            for (int k = 0; k < 3; k++) {
                int i = idx[k];
                float saved = p[i];
                float h = 1e-3f;
                p[i] = saved + h;
                double up = m.accumulateGradient(x, label, 0f, ws, m.newGradients());
                p[i] = saved - h;
                double down = m.accumulateGradient(x, label, 0f, ws, m.newGradients());
                p[i] = saved;
                double numeric = (up - down) / (2 * h);
                // Central difference: O(h^2) curvature error plus float rounding of a ~2.3 loss over 2h
                // (~1e-4 with h = 1e-3); 3% + 1e-3 leaves room for that and for a ReLU kink near the step.
                assertEquals(numeric, gt[i], 0.03 * Math.abs(numeric) + 1e-3, "tensor " + t + " element " + i);
            }
        }
    }

    @Test
    void trainingIsBitIdenticalWithOneOrTwoThreads() throws InterruptedException {
        LabeledImages data = syntheticImages(200);
        float[][] a = trainTiny(data, 1);
        float[][] b = trainTiny(data, 2);
        for (int t = 0; t < a.length; t++) {
            assertArrayEquals(a[t], b[t], "parameter tensor " + t);
        }
    }

    @Test
    void trainingLowersTheLoss() throws InterruptedException {
        LabeledImages data = syntheticImages(200);
        FashionCnn m = FashionCnn.initialized(1);
        List<CnnTraining.EpochStats> stats = new CnnTraining(m, new CnnTraining.Settings(3, 20, 1e-3, 1.0, 2, 2))
                .train(data, e -> {});
        assertTrue(stats.get(2).meanLoss() < 0.5 * stats.get(0).meanLoss(), stats.toString());
    }

    private static float[][] trainTiny(LabeledImages data, int threads) throws InterruptedException {
        FashionCnn m = FashionCnn.initialized(1);
        new CnnTraining(m, new CnnTraining.Settings(1, 33, 1e-3, 1.0, 2, threads)).train(data, e -> {});
        return m.parameters().toArray(float[][]::new);
    }

    /** Images whose label is the brightest of ten horizontal bands: learnable in a few steps. */
    static LabeledImages syntheticImages(int n) {
        Random r = new Random(4);
        byte[] pixels = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = r.nextInt(10);
            labels[i] = (byte) label;
            for (int p = 0; p < 784; p++) {
                int band = Math.min(9, (p / 28) * 10 / 28);
                pixels[i * 784 + p] = (byte) (band == label ? 200 + r.nextInt(56) : r.nextInt(80));
            }
        }
        return LabeledImages.of(28, 28, pixels, labels);
    }
}
