package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every channels-last pass equals its NCHW counterpart in {@link LevelTensors} up to the transpose: the oracle is
 * the NCHW pass (itself checked through the generated models against the simulator) with
 * {@link LevelTensors#toNhwc}/{@link LevelTensors#toNchw} around it. Exact equality: the arithmetic per element
 * must be the same, only the index moves. Shapes have channel counts that are not multiples of any vector length,
 * batches of 2, and per-channel as well as per-tensor ranges.
 */
class ChannelsLastLevelsTest {
    private static final int BATCH = 2, CHANNELS = 37, PIXELS = 53;

    @Test
    void quantizeAndDequantizeAreTheNchwPassesTransposed() {
        Random rnd = new Random(1);
        float[] x = new float[BATCH * CHANNELS * PIXELS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 3);
        }
        for (float[][] range : new float[][][] {ranges(rnd, 1), ranges(rnd, CHANNELS)}) {
            byte[] nchw = new byte[x.length], want = new byte[x.length], got = new byte[x.length];
            LevelTensors.quantize(x, nchw, BATCH, CHANNELS, PIXELS, range[0], range[1], 256);
            LevelTensors.toNhwc(nchw, want, BATCH, CHANNELS, PIXELS);
            ChannelsLastLevels.quantize(x, got, BATCH, CHANNELS, PIXELS, range[0], range[1], 256,
                    ChannelsLastLevels.channelOffsets(PIXELS));
            assertArrayEquals(want, got, "quantize, " + range[0].length + " range(s)");

            float[] back = new float[x.length], backNhwc = new float[x.length];
            LevelTensors.dequantize(nchw, back, BATCH, CHANNELS, PIXELS, range[0], range[1], 255);
            ChannelsLastLevels.dequantize(got, backNhwc, BATCH, CHANNELS, PIXELS, range[0], range[1], 255);
            assertArrayEquals(back, backNhwc, "dequantize, " + range[0].length + " range(s)");
        }
    }

    @Test
    void quantizeGathersWholeAndPartialStepsOfChannelsAtAnyPlaneSize() {
        // 16 channels of one pixel (the gather reads contiguous floats), 128 x 36 (landmarks' depthwise input:
        // whole steps only), 8 x 7 (fewer than a step: scalar), each per tensor and per channel; 37 channels (a
        // last step shifted back over the previous one) are the test above
        int[][] shapes = {{16, 1}, {128, 36}, {8, 7}};
        for (int[] shape : shapes) {
            int channels = shape[0], pixels = shape[1];
            Random rnd = new Random(channels + pixels);
            float[] x = new float[channels * pixels];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 3);
            }
            for (float[][] range : new float[][][] {ranges(rnd, 1), ranges(rnd, channels)}) {
                byte[] nchw = new byte[x.length], got = new byte[x.length];
                LevelTensors.quantize(x, nchw, 1, channels, pixels, range[0], range[1], 256);
                ChannelsLastLevels.quantize(x, got, 1, channels, pixels, range[0], range[1], 256,
                        ChannelsLastLevels.channelOffsets(pixels));
                assertArrayEquals(nhwc(nchw, channels, pixels), got, channels + " x " + pixels + ", " + range[0].length + " range(s)");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ChannelsLastLevels.quantize(new float[32], new byte[32], 1, 8, 4,
                new float[] {0f}, new float[] {1f}, 256, ChannelsLastLevels.channelOffsets(5)), "offsets for another plane size");
        assertThrows(IllegalArgumentException.class, () -> ChannelsLastLevels.quantize(new float[32], new byte[32], 1, 8, 4,
                new float[] {0f}, new float[] {1f}, 256, new int[1]), "offsets of the wrong length: a message, not an index error");
    }

    @Test
    void affineQuantizeIsTheMultiplyAndAddOpsThenTheQuantize() {
        // the oracle: the fp32 Multiply and Add kernels the unfused steps run, then the plain quantize; NCHW runs
        // of 53 pixels (vector steps and a scalar tail), NHWC steps of 16 channels (37: one shifted back; 8: scalar)
        for (int channels : new int[] {CHANNELS, 8}) {
            Random rnd = new Random(channels);
            int n = BATCH * channels * PIXELS;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (rnd.nextGaussian() * 3);
            }
            float[] scale = new float[channels], shift = new float[channels];
            for (int c = 0; c < channels; c++) {
                scale[c] = (float) (rnd.nextGaussian() * 0.7);
                shift[c] = (float) rnd.nextGaussian();
            }
            // values where a fused multiply-add would give another level than the separate multiply and add (on
            // the range [0, 255], near level 10.5): the fused pass must not contract them
            int planted = 0;
            for (int c = 0; c < channels; c++) {
                float a = scale[c], b = shift[c];
                float x0 = (10.5f - b) / a;
                for (int k = -4000; k <= 4000 && planted < n; k++) {
                    float xi = x0 + k * Math.ulp(x0);
                    if (LevelTensors.level(xi * a + b, 0f, 255f, 256) != LevelTensors.level(Math.fma(xi, a, b), 0f, 255f, 256)) {
                        int p = planted++ % PIXELS;
                        x[c * PIXELS + p] = xi; // image 0, channel c
                    }
                }
            }
            assertTrue(planted > 0, "no value straddles a level boundary between the two roundings");
            float[] scaled = new float[n], moved = new float[n];
            dev.lowbit.runtime.fp32.Elementwise.perChannel(dev.lowbit.runtime.fp32.BinaryOp.MULTIPLY, x, scale, scaled,
                    BATCH, channels, PIXELS);
            dev.lowbit.runtime.fp32.Elementwise.perChannel(dev.lowbit.runtime.fp32.BinaryOp.ADD, scaled, shift, moved,
                    BATCH, channels, PIXELS);
            float[][] unit = {{0f}, {255f}};
            for (float[][] range : new float[][][] {unit, ranges(rnd, 1), ranges(rnd, channels)}) {
                byte[] want = new byte[n], got = new byte[n];
                LevelTensors.quantize(moved, want, BATCH, channels, PIXELS, range[0], range[1], 256);
                LevelTensors.quantizeAffine(x, got, BATCH, channels, PIXELS, scale, shift, range[0], range[1], 256);
                assertArrayEquals(want, got, channels + " channels NCHW, " + range[0].length + " range(s)");
                ChannelsLastLevels.quantizeAffine(x, got, BATCH, channels, PIXELS, scale, shift, range[0], range[1], 256,
                        ChannelsLastLevels.channelOffsets(PIXELS));
                assertArrayEquals(nhwc(want, channels), got, channels + " channels NHWC, " + range[0].length + " range(s)");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> LevelTensors.quantizeAffine(new float[8], new byte[8], 1, 2, 4,
                new float[3], new float[3], new float[] {0f}, new float[] {1f}, 256), "three constants for two channels");
    }

    @Test
    void addRequantizedIsTheNchwPassTransposed() {
        // vector steps of 16 channels with a masked tail: 37 channels (2 steps + 5), 16 (whole), 8 (masked only);
        // every combination of per-tensor and per-channel ranges of the two operands and the result
        for (int channels : new int[] {CHANNELS, 16, 8}) {
            for (int mix = 0; mix < 8; mix++) {
                Random rnd = new Random(2 + mix);
                int n = BATCH * channels * PIXELS;
                byte[] a = bytes(rnd, n), b = bytes(rnd, n);
                float[][] ra = ranges(rnd, (mix & 1) != 0 ? channels : 1), rb = ranges(rnd, (mix & 2) != 0 ? channels : 1);
                float[][] rq = ranges(rnd, (mix & 4) != 0 ? channels : 1);
                byte[] want = new byte[n];
                LevelTensors.addRequantized(a, ra[0], ra[1], 256, b, rb[0], rb[1], 255, want, BATCH, channels, PIXELS, rq[0],
                        rq[1], 256);
                byte[] aT = nhwc(a, channels), bT = nhwc(b, channels), got = new byte[n];
                ChannelsLastLevels.addRequantized(aT, ra[0], ra[1], 256, bT, rb[0], rb[1], 255, got, BATCH, channels, PIXELS,
                        rq[0], rq[1], 256);
                assertArrayEquals(nhwc(want, channels), got, channels + " channels, range mix " + mix);
            }
        }
    }

    @Test
    void concatAlongChannelsAndSliceAreTheNchwOpsTransposed() {
        Random rnd = new Random(3);
        int[] channels = {5, 16, 1, 15};
        byte[][] nchw = new byte[channels.length][], nhwc = new byte[channels.length][];
        int total = 0;
        for (int i = 0; i < channels.length; i++) {
            nchw[i] = bytes(rnd, BATCH * channels[i] * PIXELS);
            nhwc[i] = new byte[nchw[i].length];
            LevelTensors.toNhwc(nchw[i], nhwc[i], BATCH, channels[i], PIXELS);
            total += channels[i];
        }
        int[] chunks = new int[channels.length];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = channels[i] * PIXELS;
        }
        byte[] cat = new byte[BATCH * total * PIXELS], want = new byte[cat.length], got = new byte[cat.length];
        LevelTensors.concat(nchw, chunks, BATCH, cat);
        LevelTensors.toNhwc(cat, want, BATCH, total, PIXELS);
        ChannelsLastLevels.concat(nhwc, channels, BATCH * PIXELS, got);
        assertArrayEquals(want, got, "concat");

        int image = total * PIXELS, from = 21, count = 11;
        byte[] sliceWant = new byte[count * PIXELS], sliceGot = new byte[count * PIXELS];
        LevelTensors.sliceToNhwc(cat, image + from * PIXELS, sliceWant, count, PIXELS);
        ChannelsLastLevels.slice(got, image, total, from, count, PIXELS, sliceGot);
        assertArrayEquals(sliceWant, sliceGot, "slice of the second image");
    }

    @Test
    void combineSegmentsWritesTheSameLevelsChannelsLast() {
        Random rnd = new Random(4);
        int segments = 3;
        float[] d = new float[segments * PIXELS * CHANNELS];
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextInt(20001) - 10000;
        }
        float[] mult = new float[segments * CHANNELS], bias = new float[CHANNELS];
        for (int i = 0; i < mult.length; i++) {
            mult[i] = (float) (rnd.nextDouble() * 1e-3);
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) rnd.nextGaussian();
        }
        float[][] r = ranges(rnd, CHANNELS);
        byte[] nchw = new byte[PIXELS * CHANNELS], got = new byte[nchw.length], want = new byte[nchw.length];
        LevelTensors.combineSegments(d, segments, PIXELS, CHANNELS, bias, mult, true, r[0], r[1], 256, nchw, 0, null, 0);
        LevelTensors.toNhwc(nchw, want, 1, CHANNELS, PIXELS);
        try (Parallel p = Parallel.create(3, 0)) {
            for (Parallel parallel : new Parallel[] {null, p}) {
                LevelTensors.combineSegments(d, segments, PIXELS, CHANNELS, bias, mult, true, r[0], r[1], 256, got, 0, true, null,
                        0, parallel);
                assertArrayEquals(want, got, "on " + parallel);
            }
        }
    }

    @Test
    void channelsLastMaxPoolIsTheNchwPoolTransposed() {
        Random rnd = new Random(5);
        int h = 9, w = 7, oh = 5, ow = 4;
        byte[] nchw = bytes(rnd, BATCH * CHANNELS * h * w);
        byte[] want = new byte[BATCH * CHANNELS * oh * ow];
        LevelTensors.maxPool(nchw, want, BATCH * CHANNELS, h, w, oh, ow, 3, 3, 2, 2, 1, 1);
        byte[] in = new byte[nchw.length];
        LevelTensors.toNhwc(nchw, in, BATCH, CHANNELS, h * w);
        PoolGeometry g = new PoolGeometry(h, w, CHANNELS, 3, 3, 2, 2, 1, 1, 1, 1, oh, ow);
        byte[] wantNhwc = new byte[want.length];
        LevelTensors.toNhwc(want, wantNhwc, BATCH, CHANNELS, oh * ow);
        try (Parallel p = Parallel.create(2, 0)) {
            for (Parallel parallel : new Parallel[] {null, p}) {
                byte[] got = new byte[want.length];
                for (int n = 0; n < BATCH; n++) {
                    Int8MaxPool.run(g, false, in, n * g.inputLength(), got, n * g.outputLength(), parallel);
                }
                assertArrayEquals(wantNhwc, got, "both images at their offsets, on " + parallel);
            }
        }
    }

    private static byte[] nhwc(byte[] nchw) {
        return nhwc(nchw, CHANNELS);
    }

    private static byte[] nhwc(byte[] nchw, int channels) {
        byte[] t = new byte[nchw.length];
        LevelTensors.toNhwc(nchw, t, BATCH, channels, PIXELS);
        return t;
    }

    /** One image of {@code channels x pixels}. */
    private static byte[] nhwc(byte[] nchw, int channels, int pixels) {
        byte[] t = new byte[nchw.length];
        LevelTensors.toNhwc(nchw, t, 1, channels, pixels);
        return t;
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** {low, high} with {@code n} entries of varied width and offset. */
    private static float[][] ranges(Random rnd, int n) {
        float[] low = new float[n], high = new float[n];
        for (int i = 0; i < n; i++) {
            low[i] = (float) (-rnd.nextDouble() * 4);
            high[i] = low[i] + 0.5f + (float) (rnd.nextDouble() * 6);
        }
        return new float[][] {low, high};
    }
}
