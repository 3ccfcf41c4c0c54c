package dev.lowbit.benchmarks;

import dev.lowbit.runtime.fp32.Convolution;
import dev.lowbit.runtime.fp32.TiledConvolution;
import java.util.Random;

/**
 * One NCHW fp32 convolution (56x56 map, "same" padding, stride 1, batch 1) run by the generated code's two
 * kernels: {@link TiledConvolution} (f32 register tiles, float models; since 2026-12-02 a 3x3 layer of 64 channels
 * runs as Winograd F(2x2, 3x3) there, and the score still counts the direct convolution's MACs) and the exact
 * {@link Convolution#conv2d} (double accumulation, graphs with FakeQuantize). Same random input and weights for
 * both. Not thread-safe.
 */
final class Fp32NchwFixture {
    static final int SIZE = 56;
    final int c;
    final int k;
    final int groups;
    final long macs;
    private final float[] x;
    private final float[] w;
    final float[] y;
    private final double[] acc;
    private final float[] scratch;
    private final TiledConvolution tiled;

    Fp32NchwFixture(int channels, int kernel, int groups) {
        this.c = channels;
        this.k = kernel;
        this.groups = groups;
        Random r = new Random(1);
        x = new float[c * SIZE * SIZE];
        w = new float[c * (c / groups) * k * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian() * 0.1f;
        }
        y = new float[c * SIZE * SIZE];
        acc = new double[Convolution.BLOCK * SIZE];
        int p = k / 2;
        tiled = new TiledConvolution(w, 1, c, SIZE, SIZE, c, SIZE, SIZE, k, k, 1, 1, p, p, 1, 1, groups);
        scratch = new float[tiled.scratchFloats()];
        macs = (long) c * SIZE * SIZE * (c / groups) * k * k;
    }

    void runTiled() {
        tiled.run(x, y, scratch);
    }

    void runExact() {
        int p = k / 2;
        Convolution.conv2d(x, w, y, acc, 1, c, SIZE, SIZE, c, SIZE, SIZE, k, k, 1, 1, p, p, 1, 1, groups);
    }
}
