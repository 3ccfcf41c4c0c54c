package dev.lowbit.benchmarks.baseline;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fp32 baseline the int8 convolution is compared with: NHWC, stride 1, symmetric padding, a zero-padded
 * plane built per call (as the int8 kernel builds its own), and the same register tile (4 pixels x 32 output
 * channels, FMA, weights packed {@code [outBlock][ky][kx][in][16]} at construction). Restricted to the shapes the
 * benchmarks use (width a multiple of 4, output channels a multiple of 32). Immutable weights; {@link #run} needs
 * a caller-owned plane, so one instance may be shared only with one plane per thread.
 */
public final class Fp32Convolution {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private final int h, w, c, oc, k, pad, pw;
    private final float[] weights;

    public Fp32Convolution(int h, int w, int c, int oc, int k, int pad, float[] oihw) {
        if (w % 4 != 0 || oc % 32 != 0 || 2 * pad != k - 1) {
            throw new IllegalArgumentException("baseline supports width % 4 == 0, out channels % 32 == 0, 'same' padding");
        }
        this.h = h;
        this.w = w;
        this.c = c;
        this.oc = oc;
        this.k = k;
        this.pad = pad;
        this.pw = w + 2 * pad;
        this.weights = new float[oc * c * k * k];
        for (int o = 0; o < oc; o++) {
            for (int i = 0; i < c; i++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        weights[((((o / 16) * k + ky) * k + kx) * c + i) * 16 + o % 16] = oihw[((o * c + i) * k + ky) * k + kx];
                    }
                }
            }
        }
    }

    public int planeFloats() {
        return (h + 2 * pad) * pw * c;
    }

    /** {@code out = relu(conv(in) + bias)}, NHWC. */
    public void run(float[] in, float[] plane, float[] bias, float[] out) {
        Arrays.fill(plane, 0f);
        for (int y = 0; y < h; y++) {
            System.arraycopy(in, y * w * c, plane, ((y + pad) * pw + pad) * c, w * c);
        }
        int blockStride = k * k * c * 16;
        for (int oy = 0; oy < h; oy++) {
            for (int ox = 0; ox < w; ox += 4) {
                for (int b = 0; b < oc / 16; b += 2) {
                    tile(plane, (oy * pw + ox) * c, b * blockStride, blockStride, bias, out, (oy * w + ox) * oc + b * 16, b * 16);
                }
            }
        }
    }

    private void tile(float[] p, int base, int wo, int bs, float[] bias, float[] out, int o, int ocb) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int ky = 0; ky < k; ky++) {
            for (int kx = 0; kx < k; kx++) {
                int a = base + (ky * pw + kx) * c;
                for (int i = 0; i < c; i++, wo += 16) {
                    FloatVector w0 = FloatVector.fromArray(F, weights, wo);
                    FloatVector w1 = FloatVector.fromArray(F, weights, wo + bs);
                    FloatVector x = FloatVector.broadcast(F, p[a + i]);
                    a00 = x.fma(w0, a00);
                    a01 = x.fma(w1, a01);
                    x = FloatVector.broadcast(F, p[a + c + i]);
                    a10 = x.fma(w0, a10);
                    a11 = x.fma(w1, a11);
                    x = FloatVector.broadcast(F, p[a + 2 * c + i]);
                    a20 = x.fma(w0, a20);
                    a21 = x.fma(w1, a21);
                    x = FloatVector.broadcast(F, p[a + 3 * c + i]);
                    a30 = x.fma(w0, a30);
                    a31 = x.fma(w1, a31);
                }
            }
        }
        FloatVector b0 = FloatVector.fromArray(F, bias, ocb);
        FloatVector b1 = FloatVector.fromArray(F, bias, ocb + 16);
        a00.add(b0).max(0f).intoArray(out, o);
        a01.add(b1).max(0f).intoArray(out, o + 16);
        a10.add(b0).max(0f).intoArray(out, o + oc);
        a11.add(b1).max(0f).intoArray(out, o + oc + 16);
        a20.add(b0).max(0f).intoArray(out, o + 2 * oc);
        a21.add(b1).max(0f).intoArray(out, o + 2 * oc + 16);
        a30.add(b0).max(0f).intoArray(out, o + 3 * oc);
        a31.add(b1).max(0f).intoArray(out, o + 3 * oc + 16);
    }
}
