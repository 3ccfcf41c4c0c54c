package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blocked transpose writes what the one-value-at-a-time definition writes, and nothing else: whole blocks,
 * channels and columns left over (37 channels, 53 columns), fewer than a block of either, padded pixel strides
 * ({@code cp} above the channel count) and a destination offset, on arrays sized exactly so that a load or store past
 * the row would fail. The oracle is the definition in the test.
 */
class ChannelsLastBlocksTest {
    @Test
    void everyValueIsTheCentredLevelAtItsChannelsLastPlace() {
        int[][] shapes = {{16, 16}, {32, 48}, {37, 53}, {8, 20}, {20, 7}, {64, 19}};
        for (int[] shape : shapes) {
            int channels = shape[0], w = shape[1], h = 3, plane = h * w;
            for (int zeroPoint : new int[] {0, 7, 128}) {
                for (int cp : new int[] {channels, channels + 3}) {
                    Random rnd = new Random(channels * 31 + w);
                    byte[] levels = new byte[channels * plane];
                    rnd.nextBytes(levels);
                    int dst = 5, iy = h - 1; // the last row of every plane: loads end at the array's end
                    float[] want = new float[dst + w * cp], got = new float[dst + w * cp];
                    Arrays.fill(want, Float.NaN);
                    Arrays.fill(got, Float.NaN);
                    for (int c = 0; c < channels; c++) {
                        for (int ix = 0; ix < w; ix++) {
                            want[dst + ix * cp + c] = (levels[c * plane + iy * w + ix] & 0xFF) - zeroPoint;
                        }
                    }
                    ChannelsLastBlocks.row(levels, zeroPoint, iy * w, plane, channels, w, got, dst, cp);
                    assertArrayEquals(want, got,
                            channels + " channels x " + w + " columns, z " + zeroPoint + ", cp " + cp);
                }
            }
        }
    }
}
