package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link LevelTensors#maxPool} on NCHW levels (vector rows for strides 1 and 2) equals the definition written
 * here: the largest unsigned level in each window clipped to the input. Widths give vector runs, scalar borders and
 * tails; the planes are the whole array, so stride-2 loads near its end must fall back; levels cover 0..255 so
 * the signed-compare flip is exercised.
 */
class PlaneMaxPoolTest {
    @ParameterizedTest(name = "{0}x{1} k{2}x{3} s{4} pads {5},{6}")
    @CsvSource({
        "48, 48, 2, 2, 2, 0, 0",   // landmarks' pools
        "150, 150, 3, 3, 2, 0, 0", // face-detection's first pool
        "36, 36, 3, 3, 2, 1, 1",
        "35, 71, 3, 3, 1, 1, 1",
        "9, 40, 2, 2, 1, 0, 0",
        "7, 33, 3, 3, 3, 1, 1",    // stride 3: scalar
        "5, 5, 5, 5, 1, 2, 2",     // windows wider than the interior
        "12, 12, 1, 1, 2, 0, 0"})
    void equalsTheDefinition(int h, int w, int kh, int kw, int s, int ph, int pw) {
        int planes = 3;
        int oh = (h + 2 * ph - kh) / s + 1, ow = (w + 2 * pw - kw) / s + 1;
        Random rnd = new Random(h * 31 + w + s);
        byte[] x = new byte[planes * h * w];
        rnd.nextBytes(x);
        byte[] want = new byte[planes * oh * ow];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int m = 0;
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            int iy = oy * s - ph + ky, ix = ox * s - pw + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                m = Math.max(m, x[(p * h + iy) * w + ix] & 0xFF);
                            }
                        }
                    }
                    want[(p * oh + oy) * ow + ox] = (byte) m;
                }
            }
        }
        byte[] got = new byte[want.length];
        LevelTensors.maxPool(x, got, planes, h, w, oh, ow, kh, kw, s, s, ph, pw);
        assertArrayEquals(want, got);
    }
}
