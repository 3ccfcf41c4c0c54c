package dev.lowbit.runtime.int8;

/**
 * The prepass of {@link Int8Convolution}: the NHWC int8 input rewritten, padded with the zero point, as
 * unsigned-domain channel pairs {@code x[2p] | x[2p+1] << 16} per padded pixel and group, followed by one
 * channel sum per padded pixel and group. Layout in scratch: {@code [(py * paddedW + px) * groups + g] * pairs + p},
 * then at {@code sumsAt}: {@code [(py * paddedW + px) * groups + g]}. Stateless, thread-safe.
 */
final class ActivationPlane {
    private ActivationPlane() {
    }

    static void fill(ConvGeometry g, QuantizedInput q, int pairs, byte[] in, int inOff, int[] plane, int sumsAt) {
        int groups = g.groups();
        int ipg = g.inPerGroup();
        int pw = g.paddedW();
        int z = q.unsignedZeroPoint();
        int flip = q.toUnsignedMask();
        int padPair = z | (z << 16);
        int padOddPair = z; // odd channel count: the missing channel is 0 (its packed weight is 0 too)
        int padSum = z * ipg;
        boolean odd = (ipg & 1) != 0;
        for (int py = 0; py < g.paddedH(); py++) {
            int y = py - g.padTop();
            boolean rowInside = y >= 0 && y < g.inH();
            for (int px = 0; px < pw; px++) {
                int x = px - g.padLeft();
                int pixel = py * pw + px;
                if (!rowInside || x < 0 || x >= g.inW()) {
                    for (int grp = 0; grp < groups; grp++) {
                        int at = (pixel * groups + grp) * pairs;
                        for (int p = 0; p < pairs; p++) {
                            plane[at + p] = padPair;
                        }
                        if (odd) {
                            plane[at + pairs - 1] = padOddPair;
                        }
                        plane[sumsAt + pixel * groups + grp] = padSum;
                    }
                    continue;
                }
                int src = inOff + (y * g.inW() + x) * g.inChannels();
                for (int grp = 0; grp < groups; grp++) {
                    int at = (pixel * groups + grp) * pairs;
                    int s = 0;
                    int c = grp * ipg;
                    int end = c + ipg;
                    int p = 0;
                    for (; c + 1 < end; c += 2, p++) {
                        int lo = (in[src + c] & 0xFF) ^ flip;
                        int hi = (in[src + c + 1] & 0xFF) ^ flip;
                        plane[at + p] = lo | (hi << 16);
                        s += lo + hi;
                    }
                    if (c < end) {
                        int lo = (in[src + c] & 0xFF) ^ flip;
                        plane[at + p] = lo;
                        s += lo;
                    }
                    plane[sumsAt + pixel * groups + grp] = s;
                }
            }
        }
    }
}
