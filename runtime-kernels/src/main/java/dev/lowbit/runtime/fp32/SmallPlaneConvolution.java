package dev.lowbit.runtime.fp32;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A one-group convolution whose output plane has at most {@link TiledLayout#SMALL_PLANE_PIXELS} pixels, computed
 * with vectors along the output channels: the deep layers of the small OMZ networks (head-pose's 256 -> 512 3x3
 * layer has a 2x2 output, its 128 -> 256 one 4x4). {@link TiledConvolution} vectorizes along pixels, so on such
 * planes most lanes idle and every weight arrives as a scalar broadcast: 9-23 GMAC/s, a third of head-pose's
 * float time on two layers. Here each step of the reduction loads 4 weight vectors (4L channels) and broadcasts 4
 * patch values (4 pixels) into 16 accumulators.
 *
 * <p>Per image: the receptive field of every output pixel is gathered into a patch row ({@code k} values in the
 * weights' [ic][ky][kx] order, zero in the padding; rows rounded up to a multiple of 4 with zeros), the tiles write
 * the products pixel-major into scratch, and they are transposed into the NCHW output. Each output is
 * sum over r ascending of w * x with FMA from zero, the order of {@link TiledConvolution}'s tiles. Weights packed
 * once as [block of 4L channels][r][4L], zero past the last channel. Immutable; {@link #run} is thread-safe with
 * distinct outputs and scratch.
 */
final class SmallPlaneConvolution {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int BLOCK = 4 * L;

    private final int c;
    private final int h;
    private final int wd;
    private final int oc;
    private final int oh;
    private final int ow;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int ph;
    private final int pw;
    private final int dh;
    private final int dw;
    private final int k;
    private final int pixels;
    /** Pixels rounded up to whole 4-pixel tiles. */
    private final int rows;
    /** Output channels rounded up to whole blocks: the row length of the pixel-major products. */
    private final int ocp;
    private final float[] packed;

    SmallPlaneConvolution(float[] w, int c, int h, int wd, int oc, int oh, int ow, int kh, int kw, int sh, int sw,
            int ph, int pw, int dh, int dw) {
        this.c = c;
        this.h = h;
        this.wd = wd;
        this.oc = oc;
        this.oh = oh;
        this.ow = ow;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.dh = dh;
        this.dw = dw;
        this.k = c * kh * kw;
        this.pixels = oh * ow;
        this.rows = TiledLayout.smallPlaneRows(oh, ow);
        this.ocp = (oc + BLOCK - 1) / BLOCK * BLOCK;
        this.packed = new float[ocp * k];
        for (int m = 0; m < oc; m++) {
            int block = m / BLOCK, lane = m % BLOCK;
            for (int r = 0; r < k; r++) {
                packed[(block * k + r) * BLOCK + lane] = w[m * k + r];
            }
        }
        if (rows * (k + ocp) > TiledLayout.smallPlaneScratch(c, oc, oh, ow, kh, kw)) {
            throw new IllegalStateException("scratch layout of TiledLayout too small for " + L + "-lane vectors");
        }
    }

    /** One image: x [c][h][wd] from xBase, y [oc][oh][ow] from yBase. */
    void run(float[] x, int xBase, float[] y, int yBase, float[] scratch) {
        gatherPatches(x, xBase, scratch);
        int products = rows * k;
        for (int block = 0; block * BLOCK < oc; block++) {
            for (int p = 0; p < rows; p += 4) {
                tile4x4(packed, block * k * BLOCK, scratch, p * k, k, scratch, products + p * ocp + block * BLOCK, ocp);
            }
        }
        for (int m = 0; m < oc; m++) {
            for (int p = 0; p < pixels; p++) {
                y[yBase + m * pixels + p] = scratch[products + p * ocp + m];
            }
        }
    }

    /** Patch row p (k values) of every output pixel into scratch[p * k ..], zero rows up to {@code rows}. */
    private void gatherPatches(float[] x, int xBase, float[] scratch) {
        int i = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                for (int ic = 0; ic < c; ic++) {
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * sh - ph + ky * dh;
                        for (int kx = 0; kx < kw; kx++, i++) {
                            int ix = ox * sw - pw + kx * dw;
                            scratch[i] = iy >= 0 && iy < h && ix >= 0 && ix < wd ? x[xBase + (ic * h + iy) * wd + ix] : 0f;
                        }
                    }
                }
            }
        }
        Arrays.fill(scratch, pixels * k, rows * k, 0f);
    }

    /**
     * 4 pixels (patch rows s, s + k, s + 2k, s + 3k) x 4L channels (packed [r][4L] from wAt), written pixel-major
     * to out[o + pixel * stride + lane].
     */
    private static void tile4x4(float[] pk, int wAt, float[] src, int s, int k, float[] out, int o, int stride) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a22 = FloatVector.zero(F);
        FloatVector a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a32 = FloatVector.zero(F);
        FloatVector a33 = FloatVector.zero(F);
        for (int r = 0, wp = wAt; r < k; r++, wp += BLOCK) {
            FloatVector w0 = FloatVector.fromArray(F, pk, wp);
            FloatVector w1 = FloatVector.fromArray(F, pk, wp + L);
            FloatVector w2 = FloatVector.fromArray(F, pk, wp + 2 * L);
            FloatVector w3 = FloatVector.fromArray(F, pk, wp + 3 * L);
            FloatVector b = FloatVector.broadcast(F, src[s + r]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            a02 = w2.fma(b, a02);
            a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(F, src[s + k + r]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            a12 = w2.fma(b, a12);
            a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(F, src[s + 2 * k + r]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            a22 = w2.fma(b, a22);
            a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(F, src[s + 3 * k + r]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
            a32 = w2.fma(b, a32);
            a33 = w3.fma(b, a33);
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + L);
        a02.intoArray(out, o + 2 * L);
        a03.intoArray(out, o + 3 * L);
        a10.intoArray(out, o + stride);
        a11.intoArray(out, o + stride + L);
        a12.intoArray(out, o + stride + 2 * L);
        a13.intoArray(out, o + stride + 3 * L);
        a20.intoArray(out, o + 2 * stride);
        a21.intoArray(out, o + 2 * stride + L);
        a22.intoArray(out, o + 2 * stride + 2 * L);
        a23.intoArray(out, o + 2 * stride + 3 * L);
        a30.intoArray(out, o + 3 * stride);
        a31.intoArray(out, o + 3 * stride + L);
        a32.intoArray(out, o + 3 * stride + 2 * L);
        a33.intoArray(out, o + 3 * stride + 3 * L);
    }
}
