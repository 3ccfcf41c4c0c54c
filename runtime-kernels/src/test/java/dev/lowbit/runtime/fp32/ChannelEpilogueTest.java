package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A convolution with its bias, ReLU and batch norm fused ({@link ChannelEpilogue}) against the same convolution
 * followed by the separate passes the generated code ran before ({@link Elementwise#perChannel},
 * {@link Activations#relu}): bit for bit, on every shape of {@link TiledConvolutionTest} (direct, wide, phased,
 * gathered, small-plane, grouped paths), on Winograd F(2x2) and F(4x4) layers and on larger planes of each direct
 * layout; split over threads, bit for bit with one thread.
 */
class ChannelEpilogueTest {
    private static final int[][] MORE_CASES = { // as TiledConvolutionTest.CASES
        {1, 32, 18, 18, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, // Winograd F(4x4)
        {1, 32, 9, 9, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, // Winograd F(2x2)
        {1, 16, 30, 30, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, // head-pose FP16's conv2
        {1, 8, 64, 64, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1}, // the plain layout
        {1, 4, 100, 100, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}, // the padded wide rows
        {1, 6, 120, 120, 24, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1}, // the phase planes
        {1, 8, 130, 130, 32, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1}, // gathered
        {1, 16, 64, 64, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2}, // groups
    };

    /** The chains the models have, and a few they could: bias and ReLU (the fast form), a batch norm either side. */
    private static final String[][] CHAINS = {
        {"add", "relu"}, {"add", "relu", "multiply", "add"}, {"add", "multiply", "add", "relu"}, {"add"},
        {"multiply", "add"}, {"relu"}, {"add", "add", "relu", "multiply", "add"},
    };

    @Test
    void fusedIsBitIdenticalToTheSeparatePasses() {
        Random r = new Random(7);
        int index = 0;
        for (int[] t : cases()) {
            int oc = t[4], plane = TiledConvolutionTest.outSize(t, 2) * TiledConvolutionTest.outSize(t, 3);
            float[] w = TiledConvolutionTest.random(r, oc * (t[1] / t[15]) * t[5] * t[6]);
            float[] x = TiledConvolutionTest.random(r, t[0] * t[1] * t[2] * t[3]);
            TiledConvolution plain = convolution(w, t, null);
            float[] want = new float[t[0] * oc * plane];
            plain.run(x, want, new float[plain.scratchFloats()]);
            // every shape with the longest chain, and with one of the others in turn
            for (String[] chain : new String[][] {CHAINS[1], CHAINS[index++ % CHAINS.length]}) {
                float[] separate = want.clone();
                ChannelEpilogue epilogue = ChannelEpilogue.channels(oc);
                for (String step : chain) {
                    if (step.equals("relu")) {
                        Activations.relu(separate, separate, separate.length);
                        epilogue = epilogue.relu();
                        continue;
                    }
                    float[] operand = TiledConvolutionTest.random(r, oc);
                    boolean add = step.equals("add");
                    Elementwise.perChannel(add ? BinaryOp.ADD : BinaryOp.MULTIPLY, separate, operand, separate, t[0], oc,
                            plane);
                    epilogue = add ? epilogue.add(operand) : epilogue.multiply(operand);
                }
                TiledConvolution fused = convolution(w, t, epilogue);
                float[] got = new float[want.length];
                fused.run(x, got, new float[fused.scratchFloats()]);
                assertArrayEquals(separate, got, Arrays.toString(t) + " " + epilogue);
            }
        }
    }

    /** The slots a missing step leaves are exact identities: -0 stays -0, NaN stays NaN, with and without ReLU. */
    @Test
    void signedZerosAndNaNComeOutAsFromTheSeparatePasses() {
        float[] x = {-0f, 0f, Float.NaN, -1f, 1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f, 3f, -2f, 0.5f,
            -0.5f, Float.MIN_VALUE, -Float.MIN_VALUE, 7f, -7f, -0f};
        float[] one = {1f};
        for (String[] chain : CHAINS) {
            float[] want = x.clone();
            ChannelEpilogue epilogue = ChannelEpilogue.channels(1);
            for (String step : chain) {
                if (step.equals("relu")) {
                    Activations.relu(want, want, want.length);
                    epilogue = epilogue.relu();
                } else if (step.equals("add")) {
                    Elementwise.perChannel(BinaryOp.ADD, want, new float[] {-0f}, want, 1, 1, want.length);
                    epilogue = epilogue.add(new float[] {-0f});
                } else {
                    Elementwise.perChannel(BinaryOp.MULTIPLY, want, one, want, 1, 1, want.length);
                    epilogue = epilogue.multiply(one);
                }
            }
            float[] got = x.clone();
            epilogue.planes(got, 0, x.length, 0, 1, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                        Arrays.toString(chain) + " at " + x[i]);
            }
        }
    }

    @Test
    void splitOverThreadsIsBitIdentical() {
        Random r = new Random(9);
        try (Parallel p = Parallel.create(3, 0)) {
            for (int[] t : cases()) {
                int oc = t[4], plane = TiledConvolutionTest.outSize(t, 2) * TiledConvolutionTest.outSize(t, 3);
                TiledConvolution fused = convolution(TiledConvolutionTest.random(r, oc * (t[1] / t[15]) * t[5] * t[6]),
                        t, ChannelEpilogue.channels(oc).add(TiledConvolutionTest.random(r, oc)).relu());
                float[] x = TiledConvolutionTest.random(r, t[0] * t[1] * t[2] * t[3]);
                float[] want = new float[t[0] * oc * plane];
                fused.run(x, want, new float[fused.scratchFloats()]);
                float[] got = new float[want.length];
                fused.run(x, got, new float[fused.scratchFloats() + (p.threads() - 1) * fused.workerScratchFloats()], p);
                assertArrayEquals(want, got, Arrays.toString(t));
            }
        }
    }

    @Test
    void operandsMustCoverTheChannels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChannelEpilogue.channels(64).relu().add(new float[32]));
        assertTrue(e.getMessage().contains("expected 64 per-channel values, got 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ChannelEpilogue.channels(8).relu().relu());
        assertTrue(e.getMessage().contains("does not fit the epilogue's shape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TiledConvolution(new float[16 * 8 * 9], 1, 8, 10,
                10, 16, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, ChannelEpilogue.channels(32).relu()));
        assertTrue(e.getMessage().contains("on a layer of 16 output channels"), e.getMessage());
    }

    private static List<int[]> cases() {
        List<int[]> all = new ArrayList<>(Arrays.asList(TiledConvolutionTest.CASES));
        all.addAll(Arrays.asList(MORE_CASES));
        return all;
    }

    private static TiledConvolution convolution(float[] w, int[] t, ChannelEpilogue epilogue) {
        int oh = TiledConvolutionTest.outSize(t, 2), ow = TiledConvolutionTest.outSize(t, 3);
        return epilogue == null
                ? new TiledConvolution(w, t[0], t[1], t[2], t[3], t[4], oh, ow, t[5], t[6], t[7], t[8], t[9], t[10],
                        t[13], t[14], t[15])
                : new TiledConvolution(w, t[0], t[1], t[2], t[3], t[4], oh, ow, t[5], t[6], t[7], t[8], t[9], t[10],
                        t[13], t[14], t[15], epilogue);
    }
}
