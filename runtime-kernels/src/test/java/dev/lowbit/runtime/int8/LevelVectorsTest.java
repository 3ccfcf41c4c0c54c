package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector quantize/dequantize runs equal the scalar definition ({@link LevelTensors#level},
 * {@link LevelTensors#value}, the IR's FakeQuantize formula) element for element, bit for bit, on the values where
 * a vector shortcut could go wrong: exactly at the range ends, exact half-levels (round half to even), just
 * inside and outside the range, NaN and infinities, an inverted range, 255 and 2 levels, and a run length that
 * leaves a scalar tail; dequantize also from levels a channel stride apart (NHWC); the residual add of two level
 * runs for every pair of levels.
 */
class LevelVectorsTest {
    private static final float[][] RANGES = {{-1.5f, 2.25f}, {0f, 6f}, {3f, -1f}, {-0.0078125f, 0.0078125f}};

    @Test
    void quantizeEqualsTheScalarLevelOnEdgeValues() {
        for (float[] r : RANGES) {
            for (int levels : new int[] {256, 255, 2}) {
                float[] x = edgeValues(r[0], r[1], levels);
                byte[] q = new byte[x.length];
                LevelVectors.quantize(x, 0, x.length, r[0], r[1], levels, q, 0);
                for (int i = 0; i < x.length; i++) {
                    assertEquals((byte) LevelTensors.level(x[i], r[0], r[1], levels), q[i],
                            "x=" + x[i] + " range " + r[0] + ".." + r[1] + " levels " + levels);
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

    @Test
    void combinedSegmentsWrittenNhwcEqualTheScalarDefinition() {
        for (int channels : new int[] {8, 16, 37}) {
            for (int segments : new int[] {1, 3}) {
                for (boolean perChannel : new boolean[] {false, true}) {
                    for (boolean relu : new boolean[] {false, true}) {
                        checkCombine(channels, segments, perChannel, relu);
                    }
                }
            }
        }
    }

    @Test
    void combinedPlanesEqualTheScalarDefinition() {
        for (int channels : new int[] {1, 5}) {
            for (int segments : new int[] {1, 3}) {
                for (boolean perChannel : new boolean[] {false, true}) {
                    for (boolean relu : new boolean[] {false, true}) {
                        checkCombinePlanes(channels, segments, perChannel, relu);
                    }
                }
            }
        }
    }

    /** As {@link #checkCombine}, with the products stored NCHW per segment and levels and floats written NCHW. */
    private static void checkCombinePlanes(int channels, int segments, boolean perChannel, boolean relu) {
        CombineCase t = CombineCase.of(1, channels, segments, perChannel, 0.05f, channels * 17 + segments);
        float[] d = t.d, multiplier = t.multiplier, bias = t.bias, inLow = t.inLow, inHigh = t.inHigh;
        int pixels = t.pixels, plane = t.pixels * channels;
        byte[] q = new byte[3 + plane];
        float[] f = new float[2 + plane];
        LevelTensors.combinePlanes(d, segments, pixels, channels, bias, multiplier, relu, inLow, inHigh, 256, q, 3, null, 0);
        LevelTensors.combinePlanes(d, segments, pixels, channels, bias, multiplier, relu, null, null, 0, null, 0, f, 2);
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < pixels; p++) {
                float y = bias[c];
                for (int j = 0; j < segments; j++) {
                    y = Math.fma(d[j * plane + c * pixels + p], multiplier[j * channels + c], y);
                }
                y = relu ? Math.max(y, 0f) : y;
                int r = perChannel ? c : 0;
                String where = "y=" + y + " pixel " + p + " channel " + c + " of " + channels + ", " + segments
                        + " segments, " + (perChannel ? "per-channel" : "per-tensor") + (relu ? ", relu" : "");
                assertEquals((byte) LevelTensors.level(y, inLow[r], inHigh[r], 256), q[3 + c * pixels + p], where);
                assertEquals(Float.floatToRawIntBits(y), Float.floatToRawIntBits(f[2 + c * pixels + p]), where);
            }
        }
    }

    /**
     * Every pair of levels (65536 elements, then a 7-element scalar tail) on operand and output ranges that make
     * sums land on range ends and half-levels: the NCHW residual add equals {@link LevelTensors#addedLevel}.
     */
    @Test
    void addedRunsEqualTheScalarDefinitionForEveryPairOfLevels() {
        int n = 256 * 256 + 7;
        byte[] a = new byte[n + 3], b = new byte[n + 3];
        for (int i = 0; i < n; i++) {
            a[3 + i] = (byte) i;
            b[3 + i] = (byte) (i >> 8);
        }
        for (float[] ra : RANGES) {
            for (float[] out : new float[][] {{-3f, 4.5f}, {0f, 6f}, {2f, -2f}}) {
                byte[] q = new byte[n + 3];
                LevelVectors.addRun(a, ra[0], ra[1], 256, b, 0f, 6f, 255, q, 3, n, out[0], out[1], 256);
                for (int i = 0; i < n; i++) {
                    int want = LevelTensors.addedLevel(a[3 + i], new float[] {ra[0]}, new float[] {ra[1]}, 256, b[3 + i],
                            new float[] {0f}, new float[] {6f}, 255, 0, new float[] {out[0]}, new float[] {out[1]}, 256);
                    if ((byte) want != q[3 + i]) {
                        assertEquals((byte) want, q[3 + i], "levels " + (a[3 + i] & 0xFF) + " + " + (b[3 + i] & 0xFF)
                                + ", a on " + ra[0] + ".." + ra[1] + ", out " + out[0] + ".." + out[1]);
                    }
                }
            }
        }
    }

    /**
     * One segment with multiplier 1 and bias 0 makes y the edge values themselves; three segments mix random
     * products. The expected level is computed here from the definition, not by the code under test.
     */
    private static void checkCombine(int channels, int segments, boolean perChannel, boolean relu) {
        CombineCase t = CombineCase.of(0, channels, segments, perChannel, 0.02f, channels * 31 + segments);
        float[] d = t.d, multiplier = t.multiplier, bias = t.bias, inLow = t.inLow, inHigh = t.inHigh;
        int pixels = t.pixels, plane = t.pixels * channels;
        byte[] q = new byte[3 + plane];
        LevelTensors.combineSegments(d, segments, pixels, channels, bias, multiplier, relu, inLow, inHigh, 256, q, 3,
                true, null, 0, null);
        for (int p = 0; p < pixels; p++) {
            for (int c = 0; c < channels; c++) {
                float y = bias[c];
                for (int j = 0; j < segments; j++) {
                    y = Math.fma(d[j * plane + p * channels + c], multiplier[j * channels + c], y);
                }
                y = relu ? Math.max(y, 0f) : y;
                int r = perChannel ? c : 0;
                assertEquals((byte) LevelTensors.level(y, inLow[r], inHigh[r], 256), q[3 + p * channels + c],
                        "y=" + y + " pixel " + p + " channel " + c + " of " + channels + ", " + segments + " segments, "
                                + (perChannel ? "per-channel" : "per-tensor") + (relu ? ", relu" : ""));
            }
        }
    }

    /**
     * Inputs of a segment combine: one segment with multiplier 1 and bias 0 makes y the edge values of
     * {@code RANGES[range]}; more segments mix random products. Output ranges per tensor, or per channel cycling
     * through RANGES from {@code range}.
     */
    private record CombineCase(float[] d, float[] multiplier, float[] bias, float[] inLow, float[] inHigh, int pixels) {
        static CombineCase of(int range, int channels, int segments, boolean perChannel, float multiplierScale, long seed) {
            float[] edges = edgeValues(RANGES[range][0], RANGES[range][1], 256);
            int pixels = edges.length / channels;
            Random rnd = new Random(seed);
            float[] d = new float[segments * pixels * channels];
            float[] multiplier = new float[segments * channels];
            float[] bias = new float[channels];
            for (int i = 0; i < d.length; i++) {
                d[i] = segments == 1 ? edges[i] : (float) rnd.nextGaussian() * 50;
            }
            for (int i = 0; i < multiplier.length; i++) {
                multiplier[i] = segments == 1 ? 1f : (float) rnd.nextGaussian() * multiplierScale;
            }
            for (int c = 0; c < channels && segments > 1; c++) {
                bias[c] = (float) rnd.nextGaussian();
            }
            int ranges = perChannel ? channels : 1;
            float[] inLow = new float[ranges], inHigh = new float[ranges];
            for (int r = 0; r < ranges; r++) {
                float[] out = perChannel ? RANGES[(r + range) % RANGES.length] : RANGES[range];
                inLow[r] = out[0];
                inHigh[r] = out[1];
            }
            return new CombineCase(d, multiplier, bias, inLow, inHigh, pixels);
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
