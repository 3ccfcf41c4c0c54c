package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link LevelTensors#maxPool} on NCHW levels (vector chunks for strides 1 and 2) equals the definition written
 * here: the largest unsigned level in each window clipped to the input. Shapes give several chunks per row, short
 * last chunks, windows clipped by padding and by ceil rounding (the extra output column and row), windows wider
 * than the hoisted column offsets (stride 1 beyond 3, stride 2 beyond 4) and strides the vector path leaves to the
 * scalar definition; the planes are the whole array, so the loads near its end must stay masked; levels cover
 * 0..255 so the signed-compare flip is exercised.
 */
class PlaneMaxPoolTest {
    @ParameterizedTest(name = "{0}x{1} k{2}x{3} s{4} pads {5},{6} ceil {7}")
    @CsvSource({
        "48, 48, 2, 2, 2, 0, 0, false",   // landmarks' pools
        "150, 150, 3, 3, 2, 0, 0, true",  // face-detection's first pool: 75 x 75, the last window clipped
        "36, 36, 3, 3, 2, 0, 0, true",    // vehicle-attributes' pool
        "8, 8, 3, 3, 2, 0, 0, true",      // head-pose's second pool
        "40, 68, 2, 2, 2, 0, 0, true",    // person-detection's last pool
        "36, 36, 3, 3, 2, 1, 1, false",
        "35, 71, 3, 3, 1, 1, 1, false",   // stride 1: a chunk of 64 and one of 7
        "9, 40, 2, 2, 1, 0, 0, false",
        "13, 131, 4, 4, 2, 1, 1, true",   // stride 2, three chunks, two column pairs per load
        "11, 23, 5, 5, 2, 2, 2, false",   // stride 2, a third pair computed per load
        "13, 37, 5, 5, 1, 2, 2, false",   // stride 1 beyond the hoisted offsets
        "7, 33, 3, 3, 3, 1, 1, false",    // stride 3: scalar
        "5, 5, 5, 5, 1, 2, 2, false",     // windows wider than the input
        "12, 12, 1, 1, 2, 0, 0, false",
        "12, 13, 1, 1, 1, 0, 0, false",
        // rows ending within the window's extra columns after 64 bytes: the last plane's last row loads past the
        // array's end unless its mask keeps the load inside
        "6, 65, 3, 3, 1, 0, 0, false",
        "6, 65, 3, 3, 2, 0, 0, false"})
    void equalsTheDefinition(int h, int w, int kh, int kw, int s, int ph, int pw, boolean ceil) {
        int planes = 3;
        int round = ceil ? s - 1 : 0;
        int oh = (h + 2 * ph - kh + round) / s + 1, ow = (w + 2 * pw - kw + round) / s + 1;
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
