package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector quantize/dequantize runs equal the scalar definition ({@link LevelTensors#level},
 * {@link LevelTensors#value}, the IR's FakeQuantize formula) element for element, bit for bit, on the values where
 * a vector shortcut could go wrong: exactly at the range ends, exact half-levels (round half to even), just
 * inside and outside the range, NaN and infinities, an inverted range, 255 and 2 levels, and a run length that
 * leaves a scalar tail, written with stride 1 (NCHW) and a channel stride (NHWC).
 */
class LevelVectorsTest {
    private static final float[][] RANGES = {{-1.5f, 2.25f}, {0f, 6f}, {3f, -1f}, {-0.0078125f, 0.0078125f}};

    @Test
    void quantizeEqualsTheScalarLevelOnEdgeValues() {
        for (float[] r : RANGES) {
            for (int levels : new int[] {256, 255, 2}) {
                float[] x = edgeValues(r[0], r[1], levels);
                for (int stride : new int[] {1, 37}) {
                    byte[] q = new byte[x.length * stride];
                    LevelVectors.quantize(x, 0, x.length, r[0], r[1], levels, q, 0, stride);
                    for (int i = 0; i < x.length; i++) {
                        assertEquals((byte) LevelTensors.level(x[i], r[0], r[1], levels), q[i * stride],
                                "x=" + x[i] + " range " + r[0] + ".." + r[1] + " levels " + levels + " stride " + stride);
                    }
                }
            }
        }
    }

    @Test
    void dequantizeEqualsTheScalarValueForEveryLevel() {
        for (float[] r : RANGES) {
            for (int levels : new int[] {256, 255}) {
                int n = 256 + 7;
                for (int stride : new int[] {1, 19}) {
                    byte[] q = new byte[n * stride];
                    for (int i = 0; i < n; i++) {
                        q[i * stride] = (byte) (i * 7);
                    }
                    float[] x = new float[n + 3];
                    LevelVectors.dequantize(q, 0, stride, n, r[0], r[1] - r[0], levels, x, 3);
                    for (int i = 0; i < n; i++) {
                        float want = LevelTensors.value(q[i * stride], r[0], r[1] - r[0], levels);
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(x[3 + i]),
                                "level " + (q[i * stride] & 0xFF) + " range " + r[0] + ".." + r[1] + " stride " + stride);
                    }
                }
            }
        }
    }

    /** Range ends, their neighbours, every half-level, NaN, infinities and random values; not a multiple of 16 long. */
    private static float[] edgeValues(float low, float high, int levels) {
        Random rnd = new Random(levels);
        float lo = Math.min(low, high), hi = Math.max(low, high);
        float[] v = new float[2 * levels + 300 + 5];
        int i = 0;
        for (int k = 0; k < levels; k++, i += 2) {
            float half = low + (high - low) * (k + 0.5f) / (levels - 1);
            v[i] = half;
            v[i + 1] = Math.nextUp(half);
        }
        float[] special = {lo, hi, Math.nextUp(lo), Math.nextDown(lo), Math.nextUp(hi), Math.nextDown(hi),
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e30f, -1e30f};
        for (float s : special) {
            v[i++] = s;
        }
        while (i < v.length) {
            v[i++] = lo - 1 + (float) rnd.nextDouble() * (hi - lo + 2);
        }
        return v;
    }
}
