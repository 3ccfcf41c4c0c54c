package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The epilogue against hand-computed values, and the vector path (through a 1x1 convolution of one pixel, where
 * D is chosen directly by the weights) against the scalar definition.
 */
class RequantizationTest {
    private static final float[] ONE = {1f};
    private static final float[] ZERO = {0f};

    /** Grid with step 1 from 0: low = 0, high = 255, levels 256, multiplier 1: v = D + bias exactly. */
    private static Requantization unitGrid(float bias, boolean relu, boolean signed) {
        return Requantization.toQuantized(ONE, new float[] {bias}, relu, new float[] {0f}, new float[] {255f}, 256, signed);
    }

    @Test
    void roundsExactHalvesToEven() {
        Requantization r = unitGrid(0.5f, false, false);
        assertEquals(2, r.quantizeScalar(2, 0), "2.5 -> 2");
        assertEquals(4, r.quantizeScalar(3, 0), "3.5 -> 4");
        assertEquals(0, r.quantizeScalar(0, 0), "0.5 -> 0");
        assertEquals(254, r.quantizeScalar(253, 0), "253.5 -> 254");
        assertEquals(254, r.quantizeScalar(254, 0), "254.5 -> 254");
    }

    @Test
    void saturatesAtBothEndsOfTheUnsignedGrid() {
        Requantization r = unitGrid(0f, false, false);
        assertEquals(0, r.quantizeScalar(-1000, 0));
        assertEquals(0, r.quantizeScalar(Integer.MIN_VALUE + 1, 0));
        assertEquals(255, r.quantizeScalar(256, 0));
        assertEquals(255, r.quantizeScalar(Integer.MAX_VALUE, 0));
        assertEquals(17, r.quantizeScalar(17, 0));
    }

    @Test
    void signedOutputShiftsTheGridBy128() {
        Requantization r = unitGrid(0f, false, true);
        assertEquals(-128, r.quantizeScalar(-5, 0));
        assertEquals(127, r.quantizeScalar(300, 0));
        assertEquals(0, r.quantizeScalar(128, 0));
    }

    @Test
    void reluCutsAtRealZeroInsideASymmetricRange() {
        // range [-1, 1], 255 levels... use 256 levels: step 2/255; real 0 sits at v = 127.5
        Requantization noRelu = Requantization.toQuantized(ONE, ZERO, false, new float[] {-1f}, new float[] {1f}, 256, false);
        Requantization relu = Requantization.toQuantized(ONE, ZERO, true, new float[] {-1f}, new float[] {1f}, 256, false);
        assertEquals(0, noRelu.quantizeScalar(-1, 0), "-1 is the low end");
        assertEquals(128, relu.quantizeScalar(-1, 0), "relu(-1) = 0 -> rint(127.5) = 128 (half to even)");
        assertEquals(255, relu.quantizeScalar(1, 0));
    }

    @Test
    void floatOutputAppliesMultiplierBiasAndRelu() {
        Requantization r = Requantization.toFloat(new float[] {0.5f, 2f}, new float[] {1f, -10f}, true);
        assertEquals(6f, r.floatScalar(10, 0));
        assertEquals(0f, r.floatScalar(3, 1), "2*3-10 < 0 -> relu 0");
        assertEquals(-4f, Requantization.toFloat(new float[] {2f}, new float[] {-10f}, false).floatScalar(3, 0));
    }

    @Test
    void floatOutputAppliesAPerChannelMultiplyAndAddAfterTheActivation() {
        Requantization r = Requantization.toFloat(new float[] {0.5f, 2f}, new float[] {1f, -10f}, true,
                new float[] {3f, -0.5f}, new float[] {0.25f, 1f});
        assertEquals(18.25f, r.floatScalar(10, 0), "relu(0.5 * 10 + 1) * 3 + 0.25");
        assertEquals(1f, r.floatScalar(3, 1), "relu(2 * 3 - 10) = 0, * -0.5 = -0.0, + 1");
        Requantization scaleOnly = Requantization.toFloat(new float[] {2f}, new float[] {-10f}, false, new float[] {-1f}, null);
        assertEquals(-0f, scaleOnly.floatScalar(5, 0), "0 * -1 is -0.0 and nothing is added to it (bit for bit)");
        assertEquals(-7f, Requantization.toFloat(new float[] {2f}, new float[] {-10f}, false, null, new float[] {-3f})
                .floatScalar(3, 0));
        assertThrows(IllegalArgumentException.class, () -> Requantization.toFloat(new float[] {1f}, new float[] {0f},
                false, new float[] {1f, 2f}, null), "one factor per channel");
    }

    @Test
    void quantizedEpilogueIsWithinOneStepOfTheFakeQuantizeDefinitionInDouble() {
        // The folded f32 form may flip one step at a half-integer; never more. Count flips to show they are rare.
        Random rnd = new Random(7);
        int flips = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            float m = (float) (1e-4 * (1 + rnd.nextInt(1000)));
            float b = rnd.nextFloat() * 4 - 2;
            float lo = -rnd.nextFloat() * 3;
            float hi = rnd.nextFloat() * 3 + 0.01f;
            int d = rnd.nextInt(200_000) - 100_000;
            Requantization r = Requantization.toQuantized(new float[] {m}, new float[] {b}, false, new float[] {lo}, new float[] {hi}, 256, false);
            double f = Math.min(Math.max((double) d * m + b, lo), hi);
            long ideal = Math.round(Math.rint((f - lo) / ((double) hi - lo) * 255));
            int got = r.quantizeScalar(d, 0);
            assertTrue(Math.abs(got - ideal) <= 1, "d=" + d + " got " + got + " ideal " + ideal);
            if (got != ideal) {
                flips++;
            }
        }
        assertTrue(flips < n / 1000, "flips " + flips + " of " + n);
    }

    @Test
    void vectorEpilogueMatchesScalarDefinitionBitForBit() {
        // One pixel, 1x1, K = 1 input channel with x = 1 (z = 0): D[oc] = w[oc], so D covers [-128, 127] per channel.
        int oc = 37; // two vector blocks plus a tail
        Random rnd = new Random(11);
        for (int trial = 0; trial < 50; trial++) {
            ConvGeometry g = ConvGeometry.square(1, 1, 1, oc, 1, 1, 1, 0);
            byte[] w = new byte[oc];
            rnd.nextBytes(w);
            float[] m = new float[oc];
            float[] b = new float[oc];
            float[] lo = new float[oc];
            float[] hi = new float[oc];
            for (int c = 0; c < oc; c++) {
                m[c] = rnd.nextFloat() * 0.05f;
                b[c] = rnd.nextFloat() * 2 - 1;
                lo[c] = -rnd.nextFloat() * 4;
                hi[c] = rnd.nextFloat() * 4 + 0.1f;
            }
            boolean relu = rnd.nextBoolean();
            boolean signed = rnd.nextBoolean();
            Requantization r = Requantization.toQuantized(m, b, relu, lo, hi, 256, signed);
            Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(0), w);
            byte[] out = new byte[oc];
            Int8Convolution.runQuantized(layer, r, new byte[] {1}, 0, out, 0, new int[layer.scratchInts()]);
            for (int c = 0; c < oc; c++) {
                assertEquals((byte) r.quantizeScalar(w[c], c), out[c], "channel " + c);
            }
        }
    }

    @Test
    void preluFloatOutputIsThePReLUOfTheFloatEpilogue() {
        Requantization r = Requantization.toFloatPrelu(new float[] {0.5f, 2f}, new float[] {1f, -10f}, new float[] {0.25f, -3f});
        assertEquals(6f, r.floatScalar(10, 0));
        assertEquals(-1.25f, r.floatScalar(-12, 0), "0.5 * -12 + 1 = -5 -> -5 * 0.25");
        assertEquals(24f, r.floatScalar(1, 1), "2 * 1 - 10 = -8 -> -8 * -3 (a negative slope)");
        assertEquals(0f, r.floatScalar(5, 1), "0 is not negative");
        Requantization shared = Requantization.toFloatPrelu(new float[] {1f, 1f}, new float[2], new float[] {0.5f});
        assertEquals(-2f, shared.floatScalar(-4, 1), "one slope for every channel");
    }

    @Test
    void preluQuantizedEpilogueIsWithinOneStepOfTheDefinitionInDouble() {
        // the value quantized is PReLU's f32 output; only the range is folded, so one step at a half-integer at most
        Random rnd = new Random(13);
        int flips = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            float m = (float) (1e-4 * (1 + rnd.nextInt(1000)));
            float b = rnd.nextFloat() * 4 - 2;
            float slope = rnd.nextFloat() * 0.5f;
            float lo = -rnd.nextFloat() * 3;
            float hi = rnd.nextFloat() * 3 + 0.01f;
            int d = rnd.nextInt(200_000) - 100_000;
            Requantization r = Requantization.toQuantizedPrelu(new float[] {m}, new float[] {b}, new float[] {slope},
                    new float[] {lo}, new float[] {hi}, 256, false);
            double y = (double) d * m + b;
            double f = Math.min(Math.max(y < 0 ? y * slope : y, lo), hi);
            long ideal = Math.round(Math.rint((f - lo) / ((double) hi - lo) * 255));
            int got = r.quantizeScalar(d, 0);
            assertTrue(Math.abs(got - ideal) <= 1, "d=" + d + " got " + got + " ideal " + ideal);
            if (got != ideal) {
                flips++;
            }
        }
        assertTrue(flips < n / 1000, "flips " + flips + " of " + n);
    }

    @Test
    void preluVectorEpiloguesMatchTheScalarDefinitionBitForBit() {
        // 1x1 over 8 pixels: the tiles of 4 pixels x 32 channels would take the flat quantized form without PReLU
        int oc = 37;
        int pixels = 8;
        Random rnd = new Random(17);
        for (int trial = 0; trial < 20; trial++) {
            ConvGeometry g = ConvGeometry.square(1, pixels, 1, oc, 1, 1, 1, 0);
            byte[] w = new byte[oc];
            rnd.nextBytes(w);
            byte[] in = new byte[pixels];
            rnd.nextBytes(in);
            float[] m = new float[oc], b = new float[oc], slope = new float[oc], lo = new float[oc], hi = new float[oc];
            for (int c = 0; c < oc; c++) {
                m[c] = rnd.nextFloat() * 5e-4f;
                b[c] = rnd.nextFloat() * 2 - 1;
                slope[c] = rnd.nextFloat() * 2 - 1;
                lo[c] = -rnd.nextFloat() * 4;
                hi[c] = rnd.nextFloat() * 4 + 0.1f;
            }
            boolean signed = rnd.nextBoolean();
            Requantization q = Requantization.toQuantizedPrelu(m, b, slope, lo, hi, 256, signed);
            Requantization f = Requantization.toFloatPrelu(m, b, slope);
            Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(0), w);
            byte[] outQ = new byte[pixels * oc];
            float[] outF = new float[pixels * oc];
            Int8Convolution.runQuantized(layer, q, in, 0, outQ, 0, new int[layer.scratchInts()]);
            Int8Convolution.runFloat(layer, f, in, 0, outF, 0, new int[layer.scratchInts()]);
            for (int p = 0; p < pixels; p++) {
                for (int c = 0; c < oc; c++) {
                    int d = (in[p] & 0xFF) * w[c];
                    assertEquals((byte) q.quantizeScalar(d, c), outQ[p * oc + c], "pixel " + p + " channel " + c);
                    assertEquals(f.floatScalar(d, c), outF[p * oc + c], "fp32, pixel " + p + " channel " + c);
                }
            }
        }
    }

    @Test
    void rejectsEmptyRangeAndBadLevels() {
        assertThrows(IllegalArgumentException.class, () -> Requantization.toQuantized(ONE, ZERO, false, ONE, ONE, 256, false));
        assertThrows(IllegalArgumentException.class, () -> Requantization.toQuantized(ONE, ZERO, false, ZERO, ONE, 257, false));
        assertThrows(IllegalArgumentException.class, () -> Requantization.toQuantized(new float[2], ZERO, false, ZERO, ONE, 256, false));
    }
}
