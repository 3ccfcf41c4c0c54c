package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D convolution in NCHW, with groups (depthwise when groups equals channels), strides, pads and
 * dilation. Products are accumulated in double in a per-row scratch and rounded to float once, so the
 * result is independent of summation order and matches the reference evaluator to the last bit in
 * almost every element (that matters before a FakeQuantize, where one ulp can move a value across a
 * rounding boundary). Stateless, thread-safe when callers pass distinct buffers.
 */
public final class Convolution {
    /** Doubles per accumulator vector, and as many floats in the input vector they are widened from. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Double>> D_TYPE = D.vectorType();

    private Convolution() {}

    /**
     * y[n][oc][oy][ox] = sum over ic in the group, ky, kx of w[oc][ic][ky][kx] * x[n][g*icg+ic][iy][ix]
     * with iy = oy*sh - ph + ky*dh (likewise x); positions outside the input count as zero.
     *
     * @param w   weights [oc][c/groups][kh][kw] (GroupConvolution's [g][oc/g][c/g][kh][kw] is the same layout)
     * @param acc scratch of at least {@code BLOCK * ow} doubles
     */
    public static void conv2d(float[] x, float[] w, float[] y, double[] acc, int n, int c, int h, int wd,
            int oc, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        int icg = c / groups;
        int ocg = oc / groups;
        for (int b = 0; b < n; b++) {
            // four output channels of one group at a time: each input value loaded feeds four accumulators
            int count;
            for (int o = 0; o < oc; o += count) {
                int g = o / ocg;
                count = Math.min(BLOCK, (g + 1) * ocg - o); // a block never crosses a group boundary
                for (int oy = 0; oy < oh; oy++) {
                    java.util.Arrays.fill(acc, 0, BLOCK * ow, 0.0);
                    for (int ic = 0; ic < icg; ic++) {
                        int xPlane = ((b * c) + g * icg + ic) * h * wd;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * sh - ph + ky * dh;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int kx = 0; kx < kw; kx++) {
                                int shift = kx * dw - pw;
                                // ix = ox*sw + shift must lie in [0, wd): ox in [first, last)
                                int first = shift >= 0 ? 0 : (-shift + sw - 1) / sw;
                                int last = Math.min(ow, wd - shift <= 0 ? 0 : (wd - shift + sw - 1) / sw);
                                int wAt = ((o * icg + ic) * kh + ky) * kw + kx;
                                int wStep = icg * kh * kw;
                                int xRow = xPlane + iy * wd + shift;
                                if (count == BLOCK) {
                                    accumulate4(x, xRow, sw, w[wAt], w[wAt + wStep], w[wAt + 2 * wStep], w[wAt + 3 * wStep],
                                            acc, ow, first, last);
                                } else {
                                    for (int k = 0; k < count; k++) {
                                        accumulate1(x, xRow, sw, w[wAt + k * wStep], acc, k * ow, first, last);
                                    }
                                }
                            }
                        }
                    }
                    for (int k = 0; k < count; k++) {
                        int yRow = ((b * oc + o + k) * oh + oy) * ow;
                        for (int ox = 0; ox < ow; ox++) {
                            y[yRow + ox] = (float) acc[k * ow + ox];
                        }
                    }
                }
            }
        }
    }

    /** Output channels computed together; the scratch {@code acc} must hold {@code BLOCK * ow} doubles. */
    public static final int BLOCK = 4;

    /** acc[k*ow + ox] += w_k * x[xRow + ox*sw] for the four channels k, ox in [first, last). */
    private static void accumulate4(float[] x, int xRow, int sw, double w0, double w1, double w2, double w3,
            double[] acc, int ow, int first, int last) {
        if (sw == 1) {
            // unit stride: D.length() floats widened to doubles, one FMA per channel; the scalar tail below
            DoubleVector v0 = DoubleVector.broadcast(D, w0);
            DoubleVector v1 = DoubleVector.broadcast(D, w1);
            DoubleVector v2 = DoubleVector.broadcast(D, w2);
            DoubleVector v3 = DoubleVector.broadcast(D, w3);
            int ox = first;
            for (; ox <= last - D.length(); ox += D.length()) {
                DoubleVector v = (DoubleVector) D_TYPE.cast(FloatVector.fromArray(F, x, xRow + ox)
                        .convertShape(VectorOperators.F2D, D, 0));
                v.fma(v0, DoubleVector.fromArray(D, acc, ox)).intoArray(acc, ox);
                v.fma(v1, DoubleVector.fromArray(D, acc, ow + ox)).intoArray(acc, ow + ox);
                v.fma(v2, DoubleVector.fromArray(D, acc, 2 * ow + ox)).intoArray(acc, 2 * ow + ox);
                v.fma(v3, DoubleVector.fromArray(D, acc, 3 * ow + ox)).intoArray(acc, 3 * ow + ox);
            }
            for (; ox < last; ox++) {
                double v = x[xRow + ox];
                acc[ox] += w0 * v;
                acc[ow + ox] += w1 * v;
                acc[2 * ow + ox] += w2 * v;
                acc[3 * ow + ox] += w3 * v;
            }
            return;
        }
        for (int ox = first; ox < last; ox++) {
            double v = x[xRow + ox * sw];
            acc[ox] += w0 * v;
            acc[ow + ox] += w1 * v;
            acc[2 * ow + ox] += w2 * v;
            acc[3 * ow + ox] += w3 * v;
        }
    }

    private static void accumulate1(float[] x, int xRow, int sw, double wv, double[] acc, int base, int first, int last) {
        for (int ox = first; ox < last; ox++) {
            acc[base + ox] += wv * x[xRow + ox * sw];
        }
    }

    /**
     * ConvolutionBackpropData (transposed convolution), NCHW: every input pixel scatters w[ic][oc][ky][kx]
     * times its value to output (iy*sh - ph + ky*dh, ix*sw - pw + kx*dw). Accumulates in double.
     *
     * @param w   weights [c][oc][kh][kw]
     * @param acc scratch of at least {@code oh*ow} doubles
     */
    public static void deconv2d(float[] x, float[] w, float[] y, double[] acc, int n, int c, int h, int wd,
            int oc, int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < oc; o++) {
                java.util.Arrays.fill(acc, 0, oh * ow, 0.0);
                for (int ic = 0; ic < c; ic++) {
                    int xPlane = (b * c + ic) * h * wd;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            double wv = w[((ic * oc + o) * kh + ky) * kw + kx];
                            int shiftX = kx * dw - pw;
                            // ox = ix*sw + shiftX must lie in [0, ow): ix in [first, last), no test per pixel
                            int first = shiftX >= 0 ? 0 : (-shiftX + sw - 1) / sw;
                            int last = Math.min(wd, ow - shiftX <= 0 ? 0 : (ow - shiftX + sw - 1) / sw);
                            for (int iy = 0; iy < h; iy++) {
                                int oy = iy * sh - ph + ky * dh;
                                if (oy < 0 || oy >= oh) {
                                    continue;
                                }
                                int accRow = oy * ow + shiftX;
                                int xRow = xPlane + iy * wd;
                                for (int ix = first; ix < last; ix++) {
                                    acc[accRow + ix * sw] += wv * x[xRow + ix];
                                }
                            }
                        }
                    }
                }
                int yPlane = (b * oc + o) * oh * ow;
                for (int i = 0; i < oh * ow; i++) {
                    y[yPlane + i] = (float) acc[i];
                }
            }
        }
    }
}
