package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 1x1 layers whose input channels come in runs with their own grids, in one pass with each run's weights scaled
 * ({@link FmaConvolution#pointwiseRuns}): their sums against the exact combination {@code sum_j factor_j * D_j}
 * (long integers and doubles here), their levels against the levels of that combination, and a split run against
 * one thread.
 */
class FmaPointwiseRunsTest {
    private static final Parallel POOL = Parallel.create(2, 0);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Stream<Arguments> layers() {
        return Stream.of(
                // face-detection's fire3 squeeze: a Concat of two 64-channel branches, 75x75
                Arguments.of("64 + 64 -> 16 at 75x75", 75, new int[] {0, 64}, 128, 16, new int[] {0, 0}),
                Arguments.of("32 + 96 -> 32 at 19x19, zero points 3 and 128", 19, new int[] {0, 32}, 128, 32,
                        new int[] {3, 128}),
                Arguments.of("three runs 16 + 8 + 40 -> 24 at 7x9", 0, new int[] {0, 16, 24}, 64, 24, new int[] {1, 0, 77}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void sumsAndLevelsAgainstTheExactCombination(String name, int size, int[] runStarts, int inputs, int outputs,
            int[] zeroPoints) {
        ConvGeometry g = size > 0 ? ConvGeometry.square(size, size, inputs, outputs, 1, 1, 1, 0)
                : new ConvGeometry(7, 9, inputs, outputs, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1);
        Random rnd = new Random(name.hashCode());
        byte[] w = new byte[outputs * inputs];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (rnd.nextInt(256) - 128);
        }
        int runs = runStarts.length;
        float[] factors = new float[runs * outputs];
        for (int j = 0; j < runs; j++) {
            for (int o = 0; o < outputs; o++) {
                // run 0 carries the epilogue's multiplier; the others the ratio of theirs to it
                factors[j * outputs + o] = j == 0 ? 1f : (float) (0.2 + 3 * rnd.nextDouble());
            }
        }
        byte[] in = new byte[g.inputLength()];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (rnd.nextInt(2) == 0 ? 0 : rnd.nextInt(256));
        }
        int plane = g.outH() * g.outW();
        double[] exact = new double[g.outputLength()];
        double[] bound = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            double magnitude = 0;
            for (int j = 0; j < runs; j++) {
                int end = j + 1 < runs ? runStarts[j + 1] : inputs;
                double f = factors[j * outputs + o];
                long weights = 0;
                for (int c = runStarts[j]; c < end; c++) {
                    weights += Math.abs(w[o * inputs + c]);
                }
                // the start (z_j times the run's weights) and the raw products (up to 255 times them)
                magnitude += Math.abs(f) * weights * (255 + zeroPoints[j]);
                for (int p = 0; p < plane; p++) {
                    long d = 0;
                    for (int c = runStarts[j]; c < end; c++) {
                        d += (long) ((in[c * plane + p] & 0xFF) - zeroPoints[j]) * w[o * inputs + c];
                    }
                    exact[o * plane + p] += f * d;
                }
            }
            // recursive f32 summation of inputs + 1 terms plus the weights' own rounding: (inputs + 2) units of
            // 2^-24 of the terms' magnitudes; a wrong factor, run or zero point is off by whole products
            bound[o] = (inputs + 2) * Math.ulp(1f) / 2 * magnitude;
        }
        FmaConvolution merged = FmaConvolution.pointwiseRuns(g, w, runStarts, zeroPoints, factors);
        float[] ones = new float[outputs], zeros = new float[outputs];
        Arrays.fill(ones, 1f);
        float[] sums = new float[g.outputLength()];
        merged.run(in, 0, Requantization.toFloat(ones, zeros, false), null, sums, 0, new float[merged.centredFloats()],
                new float[merged.sumFloats()], new float[merged.convScratchFloats(1)]);
        double worst = 0, largest = 0, worstShare = 0;
        for (int i = 0; i < exact.length; i++) {
            double err = Math.abs(sums[i] - exact[i]);
            worst = Math.max(worst, err);
            largest = Math.max(largest, Math.abs(exact[i]));
            worstShare = Math.max(worstShare, err / bound[i / plane]);
            assertTrue(err <= bound[i / plane], name + ": sum " + i + " off by " + err + ", bound " + bound[i / plane]);
        }
        System.out.printf("%s: largest |sum| %.0f, worst |sum - exact| %.3f (%.2f of its bound)%n", name, largest,
                worst, worstShare);
        // measured 0.06-0.22 with sums up to 8e5 (2026-12-04), as the F(4x4) layers' 1e-5 of the largest |D|
        assertTrue(worst <= 1e-5 * largest, name + ": worst |sum - exact| " + worst);

        // levels: an output range of 255 steps over the layer's sums, as a FakeQuantize after it would give
        float[] mult = new float[outputs], bias = new float[outputs];
        for (int o = 0; o < outputs; o++) {
            mult[o] = (float) (255 / (2 * largest));
            bias[o] = 127.5f + (float) rnd.nextDouble();
        }
        Requantization q = Requantization.toQuantized(mult, bias, false, new float[] {0f}, new float[] {255f}, 256, false);
        byte[] got = FmaConvolutionRoundedTest.runLevels(merged, in, q, null);
        int differ = 0;
        for (int i = 0; i < exact.length; i++) {
            int diff = Math.abs((got[i] & 0xFF) - q.quantizeScalar((float) exact[i], i / plane));
            assertTrue(diff <= 1, name + ": level " + i + " off by " + diff);
            differ += diff;
        }
        System.out.printf("%s: %d of %d levels differ by one%n", name, differ, exact.length);
        // issue 4's fidelity bound: below 0.1% of the levels, by one
        assertTrue(differ < 1e-3 * exact.length, name + ": " + differ + " levels differ");
        assertArrayEquals(got, FmaConvolutionRoundedTest.runLevels(merged, in, q, POOL), name + ": split over two threads");
    }

    @Test
    void takesOnlyPointwiseShapes() {
        assertTrue(FmaLayout.pointwiseShape(ConvGeometry.square(75, 75, 128, 16, 1, 1, 1, 0)));
        assertFalse(FmaLayout.pointwiseShape(ConvGeometry.square(75, 75, 128, 16, 1, 3, 1, 1)), "3x3");
        assertFalse(FmaLayout.pointwiseShape(ConvGeometry.square(75, 75, 128, 16, 1, 1, 2, 0)), "stride 2");
        assertFalse(FmaLayout.pointwiseShape(ConvGeometry.square(75, 75, 128, 20, 1, 1, 1, 0)), "20 outputs");
        assertFalse(FmaLayout.pointwiseShape(ConvGeometry.square(5, 5, 128, 16, 1, 1, 1, 0)), "25 pixels");
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> FmaConvolution.pointwiseRuns(
                ConvGeometry.square(10, 10, 8, 8, 1, 3, 1, 1), new byte[576], new int[] {0, 4}, new int[] {0, 0},
                new float[16]));
        assertTrue(shape.getMessage().contains("not a 1x1"), shape.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FmaConvolution.pointwiseRuns(
                ConvGeometry.square(10, 10, 8, 8, 1, 1, 1, 0), new byte[64], new int[] {0, 4}, new int[] {0}, new float[16]));
        assertTrue(e.getMessage().contains("2 runs"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> FmaConvolution.pointwiseRuns(
                ConvGeometry.square(10, 10, 8, 8, 1, 1, 1, 0), new byte[64], new int[0], new int[0], new float[0]));
        assertTrue(none.getMessage().contains("0 runs"), none.getMessage());
    }
}
