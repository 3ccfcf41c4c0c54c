package dev.lowbit.benchmarks.baseline;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * fp32 baseline for the int8 depthwise convolution: NHWC, stride 1, 'same' padding, zero-padded plane per call,
 * 4 pixels x 16 channels tile with FMA, weights {@code [ky][kx][c]}. Channels a multiple of 16, width of 4.
 * Immutable weights; one plane per thread.
 */
public final class Fp32Depthwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private final int h, w, c, k, pad, pw;
    private final float[] weights;

    public Fp32Depthwise(int h, int w, int c, int k, float[] ckk) {
        if (w % 4 != 0 || c % 16 != 0 || k % 2 == 0) {
            throw new IllegalArgumentException("baseline supports width % 4 == 0, channels % 16 == 0, odd kernels");
        }
        this.h = h;
        this.w = w;
        this.c = c;
        this.k = k;
        this.pad = k / 2;
        this.pw = w + 2 * pad;
        this.weights = new float[k * k * c];
        for (int ch = 0; ch < c; ch++) {
            for (int t = 0; t < k * k; t++) {
                weights[t * c + ch] = ckk[ch * k * k + t];
            }
        }
    }

    public int planeFloats() {
        return (h + 2 * pad) * pw * c;
    }

    public void run(float[] in, float[] plane, float[] bias, float[] out) {
        Arrays.fill(plane, 0f);
        for (int y = 0; y < h; y++) {
            System.arraycopy(in, y * w * c, plane, ((y + pad) * pw + pad) * c, w * c);
        }
        for (int oy = 0; oy < h; oy++) {
            for (int ox = 0; ox < w; ox += 4) {
                for (int ch = 0; ch < c; ch += 16) {
                    tile(plane, (oy * pw + ox) * c + ch, ch, bias, out, (oy * w + ox) * c + ch);
                }
            }
        }
    }

    private void tile(float[] p, int a, int ch, float[] bias, float[] out, int o) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                FloatVector wv = FloatVector.fromArray(F, weights, (ky * k + kx) * c + ch);
                int t = a + (ky * pw + kx) * c;
                a0 = FloatVector.fromArray(F, p, t).fma(wv, a0);
                a1 = FloatVector.fromArray(F, p, t + c).fma(wv, a1);
                a2 = FloatVector.fromArray(F, p, t + 2 * c).fma(wv, a2);
                a3 = FloatVector.fromArray(F, p, t + 3 * c).fma(wv, a3);
            }
        }
        FloatVector b = FloatVector.fromArray(F, bias, ch);
        a0.add(b).max(0f).intoArray(out, o);
        a1.add(b).max(0f).intoArray(out, o + c);
        a2.add(b).max(0f).intoArray(out, o + 2 * c);
        a3.add(b).max(0f).intoArray(out, o + 3 * c);
    }
}
