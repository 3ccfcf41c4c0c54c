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
}
