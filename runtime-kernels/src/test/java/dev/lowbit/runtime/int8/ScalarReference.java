package dev.lowbit.runtime.int8;

/**
 * Straightforward scalar definitions the vector kernels are tested against: exact integer dot products with
 * zero-point padding, written from the operator definitions, not from the kernels' packed formats.
 */
final class ScalarReference {
    private ScalarReference() {
    }

    /** Value of a stored activation byte minus its zero point, in its own (u8 or i8) domain. */
    static int centered(byte b, QuantizedInput q) {
        int v = q.signed() ? b : b & 0xFF;
        return v - q.zeroPoint();
    }

    /** Exact {@code D[oy][ox][oc] = sum((x - z) * w)}, NHWC in and out; OIHW-per-group weights; padding = z. */
    static int[] convolution(ConvGeometry g, QuantizedInput q, byte[] in, byte[] oihw) {
        int[] d = new int[g.outputLength()];
        int ipg = g.inPerGroup();
        int opg = g.outPerGroup();
        for (int oy = 0; oy < g.outH(); oy++) {
            for (int ox = 0; ox < g.outW(); ox++) {
                for (int oc = 0; oc < g.outChannels(); oc++) {
                    int grp = oc / opg;
                    long acc = 0;
                    for (int i = 0; i < ipg; i++) {
                        for (int ky = 0; ky < g.kernelH(); ky++) {
                            for (int kx = 0; kx < g.kernelW(); kx++) {
                                int y = oy * g.strideH() + ky * g.dilationH() - g.padTop();
                                int x = ox * g.strideW() + kx * g.dilationW() - g.padLeft();
                                int c = grp * ipg + i;
                                int xc = (y < 0 || y >= g.inH() || x < 0 || x >= g.inW())
                                        ? 0 : centered(in[(y * g.inW() + x) * g.inChannels() + c], q);
                                acc += (long) xc * oihw[(((oc * ipg) + i) * g.kernelH() + ky) * g.kernelW() + kx];
                            }
                        }
                    }
                    d[(oy * g.outW() + ox) * g.outChannels() + oc] = Math.toIntExact(acc);
                }
            }
        }
        return d;
    }

    /**
     * One group, NCHW levels in and out: {@code D + level * P} per output, D the exact dot product of the centred
     * levels with padding at the zero point, P the sum of the weights of the taps that read the padding (the border
     * term of a fractional zero point z padded with the integer level, {@code level = z - p}), in double.
     */
    static double[] convolutionWithBorderTerm(ConvGeometry g, int zero, byte[] nchw, byte[] oihw, double level) {
        int ic = g.inChannels(), h = g.inH(), w = g.inW(), oh = g.outH(), ow = g.outW(), kh = g.kernelH(), kw = g.kernelW();
        double[] out = new double[g.outputLength()];
        for (int o = 0; o < g.outChannels(); o++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    long d = 0, padded = 0;
                    for (int c = 0; c < ic; c++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int y = oy * g.strideH() + ky * g.dilationH() - g.padTop();
                                int x = ox * g.strideW() + kx * g.dilationW() - g.padLeft();
                                byte wt = oihw[((o * ic + c) * kh + ky) * kw + kx];
                                if (y < 0 || y >= h || x < 0 || x >= w) {
                                    padded += wt;
                                } else {
                                    d += (long) ((nchw[(c * h + y) * w + x] & 0xFF) - zero) * wt;
                                }
                            }
                        }
                    }
                    out[(o * oh + oy) * ow + ox] = d + level * padded;
                }
            }
        }
        return out;
    }
}
