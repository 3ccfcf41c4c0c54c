package dev.lowbit.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lowbit.runtime.int8.LevelTensors;
import dev.lowbit.transform.lpt.QuantGrid;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The runtime's level arithmetic (what generated int8 code runs) against {@link QuantGrid}, the lowering's one
 * definition of FakeQuantize split in two: bit for bit, on per-tensor and per-channel grids with the f16-rounded
 * kind of ranges the 2021.4 IRs have (fractional zero points), values straddling the ranges and exact midpoints.
 */
class LevelTensorsAgainstQuantGridTest {
    private static final int OUTER = 2, CHANNELS = 3, INNER = 50;

    private static QuantGrid perChannel() {
        return new QuantGrid(256, new float[] {-1.0009766f, 0f, -3.5f}, new float[] {0.9921875f, 6.1f, 2.25f},
                new float[] {-1.0009766f, 0f, -3.5f}, new float[] {0.9921875f, 6.1f, 2.25f});
    }

    private static QuantGrid perTensor() {
        return QuantGrid.perTensor(256, -0.5039f, 0.5f, -0.5039f, 0.5f);
    }

    private static float[] samples(long seed) {
        Random r = new Random(seed);
        float[] x = new float[OUTER * CHANNELS * INNER];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 7 == 0 ? (float) (r.nextInt(40) - 20) * 0.25f : (float) (r.nextGaussian() * 3);
        }
        return x;
    }

    private static int channel(int i) {
        return (i / INNER) % CHANNELS;
    }

    @Test
    void quantizeAndDequantizeAreTheGridsArithmetic() {
        for (QuantGrid g : new QuantGrid[] {perChannel(), perTensor()}) {
            float[] x = samples(1);
            byte[] q = new byte[x.length];
            LevelTensors.quantize(x, q, OUTER, CHANNELS, INNER, g.inLow(), g.inHigh(), g.levels());
            float[] back = new float[x.length];
            LevelTensors.dequantize(q, back, OUTER, CHANNELS, INNER, g.outLow(), g.outHigh(), g.levels());
            for (int i = 0; i < x.length; i++) {
                int want = g.quantize(x[i], channel(i));
                assertEquals(want, q[i] & 0xFF, "level of element " + i + " = " + x[i]);
                assertEquals(Float.floatToIntBits(g.dequantize(want, channel(i))), Float.floatToIntBits(back[i]),
                        "value of level " + want);
            }
        }
    }

    @Test
    void addRequantizedIsDequantizeAddQuantize() {
        QuantGrid a = perChannel(), b = perTensor(), out = perChannel();
        byte[] qa = new byte[OUTER * CHANNELS * INNER], qb = new byte[qa.length], q = new byte[qa.length];
        Random r = new Random(2);
        r.nextBytes(qa);
        r.nextBytes(qb);
        LevelTensors.addRequantized(qa, a.outLow(), a.outHigh(), 256, qb, b.outLow(), b.outHigh(), 256, q, OUTER,
                CHANNELS, INNER, out.inLow(), out.inHigh(), 256);
        for (int i = 0; i < q.length; i++) {
            int c = channel(i);
            int want = out.quantize(a.dequantize(qa[i] & 0xFF, c) + b.dequantize(qb[i] & 0xFF, c), c);
            assertEquals(want, q[i] & 0xFF, "element " + i);
        }
    }

    @Test
    void combineSegmentsFollowsTheLoweringsOrder() {
        int pixels = 5, channels = 3, segments = 2;
        float[] d = new float[segments * pixels * channels];
        Random r = new Random(3);
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextInt(20001) - 10000; // exact dot products
        }
        float[] bias = {0.25f, -1.5f, 3f};
        float[] mult = {1e-3f, 2e-3f, 5e-4f, 7e-4f, 1.5e-3f, 1e-4f};
        QuantGrid out = perChannel();
        byte[] q = new byte[pixels * channels];
        LevelTensors.combineSegments(d, segments, pixels, channels, bias, mult, true, out.inLow(), out.inHigh(), 256,
                q, 0, null, 0);
        float[] f = new float[pixels * channels];
        LevelTensors.combineSegments(d, segments, pixels, channels, bias, mult, false, null, null, 0, null, 0, f, 0);
        for (int p = 0; p < pixels; p++) {
            for (int oc = 0; oc < channels; oc++) {
                float y = bias[oc];
                for (int j = 0; j < segments; j++) {
                    y = Math.fma(d[j * pixels * channels + p * channels + oc], mult[j * channels + oc], y);
                }
                assertEquals(Float.floatToIntBits(y), Float.floatToIntBits(f[oc * pixels + p]), "fp32, NCHW");
                assertEquals(out.quantize(Math.max(y, 0f), oc), q[oc * pixels + p] & 0xFF, "levels after ReLU");
            }
        }
    }

    @Test
    void transposesRoundTripAndPlaceChannelsLast() {
        byte[] nchw = new byte[2 * 3 * 4];
        for (int i = 0; i < nchw.length; i++) {
            nchw[i] = (byte) i;
        }
        byte[] nhwc = new byte[nchw.length], back = new byte[nchw.length];
        LevelTensors.toNhwc(nchw, nhwc, 2, 3, 4);
        assertEquals(nchw[12 + 1 * 4 + 2], nhwc[12 + 2 * 3 + 1], "image 1, channel 1, pixel 2");
        LevelTensors.toNchw(nhwc, back, 2, 3, 4);
        assertArrayEquals(nchw, back);
        byte[] slice = new byte[2 * 4];
        LevelTensors.sliceToNhwc(nchw, 12 + 4, slice, 2, 4); // image 1, channels 1..2
        assertEquals(nchw[12 + 2 * 4 + 3], slice[3 * 2 + 1]);
    }
}
