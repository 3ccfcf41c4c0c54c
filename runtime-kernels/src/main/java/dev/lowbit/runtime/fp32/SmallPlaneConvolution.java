package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The product of a one-group {@link TiledConvolution} with a small output plane ({@link TiledLayout#smallPlane}),
 * with vectors along the output channels: the deep layers of the
 * small OMZ networks (head-pose's 256 -> 512 3x3 layer has a 2x2 output, vehicle-attributes' last ones 5x5).
 * The pixel-vectorized tiles leave most lanes idle on such planes (a 5x5 output with a 1-pixel pad is 33 wide
 * pixels, two 32-lane tiles) and take every weight as a scalar broadcast: 9-38 GMAC/s. Here each step of the
 * reduction loads 4 weight vectors (4L channels) and broadcasts one source value for each of 4 pixels into 16
 * accumulators.
 *
 * <p>It reads the planes {@link TiledConvolution} prepared (padded input, stride phases or gathered taps) through
 * the same tap offsets: output pixel p's tap r is {@code src[srcBase + offsets[r] + pixelAt[p]]}, where
 * {@code pixelAt} is the pixel's place in the wide (or gathered) layout. So there is no patch copy, and each output
 * is the sum over r ascending of w * x with FMA from zero, the order of the pixel tiles. The products are written
 * pixel-major into scratch and transposed into the NCHW output. Weights packed once as
 * [block of 4L channels][r][4L], zero past the last channel. Immutable; {@link #run} is thread-safe with distinct
 * outputs and scratch.
 */
final class SmallPlaneConvolution {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int BLOCK = 4 * L;

    private final int oc;
    private final int k;
    private final int pixels;
    /** Pixels rounded up to whole 4-pixel tiles. */
    private final int rows;
    /** Output channels rounded up to whole blocks: the row length of the pixel-major products. */
    private final int ocp;
    /** Each output pixel's index in the source layout (the rows past the last pixel repeat pixel 0). */
    private final int[] pixelAt;
    private final float[] packed;

    /**
     * @param w weights [oc][k], k in the order of {@link TiledConvolution}'s offsets
     * @param rowStride the source layout's row length in pixels (the wide rows), or ow when gathered
     */
    SmallPlaneConvolution(float[] w, int oc, int oh, int ow, int k, int rowStride) {
        this.oc = oc;
        this.k = k;
        this.pixels = oh * ow;
        this.rows = TiledLayout.smallPlaneRows(oh, ow);
        this.ocp = (oc + BLOCK - 1) / BLOCK * BLOCK;
        if (rows * ocp > TiledLayout.smallPlaneProducts(oc, oh, ow)) {
            throw new IllegalStateException("TiledLayout's products scratch is too small for " + L + "-lane vectors");
        }
        this.pixelAt = new int[rows];
        for (int p = 0; p < pixels; p++) {
            pixelAt[p] = p / ow * rowStride + p % ow;
        }
        this.packed = new float[ocp * k];
        for (int m = 0; m < oc; m++) {
            int block = m / BLOCK, lane = m % BLOCK;
            for (int r = 0; r < k; r++) {
                packed[(block * k + r) * BLOCK + lane] = w[m * k + r];
            }
        }
    }

    /** y[yBase + m * pixels + p] = the layer's output; products in scratch from {@code productsAt}. */
    void run(float[] src, int srcBase, int[] offsets, float[] y, int yBase, float[] scratch, int productsAt) {
        for (int block = 0; block * BLOCK < oc; block++) {
            for (int p = 0; p < rows; p += 4) {
                tile4x4(packed, block * k * BLOCK, src, srcBase, offsets, k, pixelAt[p], pixelAt[p + 1], pixelAt[p + 2],
                        pixelAt[p + 3], scratch, productsAt + p * ocp + block * BLOCK, ocp);
            }
        }
        for (int m = 0; m < oc; m++) {
            for (int p = 0; p < pixels; p++) {
                y[yBase + m * pixels + p] = scratch[productsAt + p * ocp + m];
            }
        }
    }

    /**
     * 4 pixels (at p0..p3 in the source layout) x 4L channels (packed [r][4L] from wAt), written pixel-major to
     * out[o + pixel * stride + lane].
     */
    private static void tile4x4(float[] pk, int wAt, float[] src, int s, int[] off, int k, int p0, int p1, int p2, int p3,
            float[] out, int o, int stride) {
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
            int at = s + off[r];
            FloatVector b = FloatVector.broadcast(F, src[at + p0]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            a02 = w2.fma(b, a02);
            a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(F, src[at + p1]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            a12 = w2.fma(b, a12);
            a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(F, src[at + p2]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            a22 = w2.fma(b, a22);
            a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(F, src[at + p3]);
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
