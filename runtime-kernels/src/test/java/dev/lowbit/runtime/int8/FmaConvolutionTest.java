package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exact-integer-on-f32 path gives the bytes and floats of {@link Int8Convolution} (itself checked against the
 * scalar definition): narrow and wide layers, 1x1 and larger kernels, strides, padding with a non-zero zero point,
 * pixel counts that leave vector tails, and a layer whose partial sums come within 0.4% of 2^24 (extreme levels
 * and weights), the bound {@link FmaLayout} admits.
 */
class FmaConvolutionTest {
    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("3x3 4 -> 1 (text-image's last layer)", ConvGeometry.square(9, 13, 4, 1, 1, 3, 1, 1), 37),
                Arguments.of("3x3 1 -> 4", ConvGeometry.square(8, 11, 1, 4, 1, 3, 1, 1), 0),
                Arguments.of("5x5 20 -> 2, zero point 128", ConvGeometry.square(7, 7, 20, 2, 1, 5, 1, 2), 128),
                Arguments.of("3x3 s2 pads 1/0 6 -> 3", new ConvGeometry(10, 9, 6, 3, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1), 200),
                Arguments.of("3x3 3 -> 16 s1 (landmarks' first layer)", ConvGeometry.square(12, 12, 3, 16, 1, 3, 1, 1), 131),
                Arguments.of("3x3 64 -> 64 (winograd, odd rows and columns)", ConvGeometry.square(9, 7, 64, 64, 1, 3, 1, 1), 0),
                Arguments.of("3x3 8 -> 128 at 40x40 (epilogue in three chunks of rows)", ConvGeometry.square(40, 40, 8, 128, 1, 3, 1, 1), 77),
                Arguments.of("3x3 32 -> 128 at 40x40 (winograd, 9 blocks of tiles)", ConvGeometry.square(40, 40, 32, 128, 1, 3, 1, 1), 77),
                Arguments.of("3x3 40 -> 48 (winograd, input channels padded to 48)", ConvGeometry.square(11, 10, 40, 48, 1, 3, 1, 1), 128),
                Arguments.of("3x3 24 -> 48 (24 inputs: direct)", ConvGeometry.square(11, 10, 24, 48, 1, 3, 1, 1), 128),
                Arguments.of("3x3 48 -> 36 (36 outputs: direct)", ConvGeometry.square(7, 7, 48, 36, 1, 3, 1, 1), 0),
                Arguments.of("3x3 48 -> 80 unpadded 6x5 (winograd, 64 + 16 outputs)", ConvGeometry.square(6, 5, 48, 80, 1, 3, 1, 0), 255),
                Arguments.of("3x3 32 -> 32 pads 2/0 (winograd, asymmetric)", new ConvGeometry(7, 8, 32, 32, 1, 3, 3, 1, 1, 2, 0, 0, 1, 1, 1), 3),
                Arguments.of("partial sums near 2^24 in winograd: 3x3 32 -> 32, weights -57, levels 255",
                        ConvGeometry.square(6, 6, 32, 32, 1, 3, 1, 1), 0),
                Arguments.of("3x3 32 -> 48 at 1x1 (exact small plane, one output pixel)", ConvGeometry.square(1, 1, 32, 48, 1, 3, 1, 1), 200),
                // sums over all input channels past 2^24: runs of channels, each exact, added on int32
                Arguments.of("partial sums past 2^24 in winograd runs: 3x3 48 -> 32, weights -128, levels 255",
                        ConvGeometry.square(6, 7, 48, 32, 1, 3, 1, 1), 0),
                Arguments.of("3x3 128 -> 48 at 9x9, full-range weights (winograd in runs, a small plane)",
                        ConvGeometry.square(9, 9, 128, 48, 1, 3, 1, 1), 131),
                Arguments.of("1x1 48 -> 40 (vector tails, pointwise)", ConvGeometry.square(5, 7, 48, 40, 1, 1, 1, 0), 3),
                Arguments.of("1x1 128 -> 16 (face-detection's squeeze, pointwise)", ConvGeometry.square(13, 13, 128, 16, 1, 1, 1, 0), 128),
                // 900 pixels: a chunk of 480 in ten 3-vector tiles, then 420 in 3-vector tiles with the last shifted back
                Arguments.of("1x1 16 -> 64 at 30x30 (3-vector tiles in two chunks, pointwise)", ConvGeometry.square(30, 30, 16, 64, 1, 1, 1, 0), 5),
                Arguments.of("1x1 24 -> 32 at 8x4 (one whole tile, pointwise)", ConvGeometry.square(8, 4, 24, 32, 1, 1, 1, 0), 255),
                Arguments.of("1x1 16 -> 12 (4 channels past the last 8-channel tile)", ConvGeometry.square(6, 6, 16, 12, 1, 1, 1, 0), 9),
                Arguments.of("1x1 16 -> 8 at 5x6 (fewer than 32 pixels)", ConvGeometry.square(5, 6, 16, 8, 1, 1, 1, 0), 9),
                Arguments.of("3x3 s2 3 -> 32 (vehicle's first layer)", ConvGeometry.square(17, 17, 3, 32, 1, 3, 2, 1), 128),
                Arguments.of("3x3 s2 8 -> 128 at 70x70 (phase planes, epilogue from the wide rows in three chunks)",
                        ConvGeometry.square(70, 70, 8, 128, 1, 3, 2, 1), 128),
                Arguments.of("7x7 s2 3 -> 16 at 44x44 (phase planes, one chunk of wide rows)",
                        ConvGeometry.square(44, 44, 3, 16, 1, 7, 2, 3), 3),
                // taps gathered and centred from the levels in one pass: face-detection's 1x1 stride-2 squeeze
                // (odd input: the last output reads the last column), a dilated stride-2 layer with pads
                Arguments.of("1x1 s2 64 -> 16 at 75x75 (gathered taps)", ConvGeometry.square(75, 75, 64, 16, 1, 1, 2, 0), 128),
                Arguments.of("3x3 s2 dilation 2 8 -> 16 (gathered taps, pads)",
                        new ConvGeometry(21, 40, 8, 16, 1, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2), 17),
                Arguments.of("small plane 3x3 64 -> 96 at 3x3 (exact small plane)", ConvGeometry.square(3, 3, 64, 96, 1, 3, 1, 1), 0),
                // small planes of at most 9 outputs sum int8 weights in f32 runs of 512 products moved to int32:
                // exact for any weights, also where the whole sums pass 2^24 (biased: every product 64-127 x 128-255)
                Arguments.of("small plane 3x3 256 -> 64 at 2x2, biased weights and levels (exact small plane, sums past 2^24)",
                        ConvGeometry.square(4, 4, 256, 64, 1, 3, 1, 0), 0),
                Arguments.of("small plane 3x3 s2 128 -> 32 at 3x3, full-range weights (exact small plane)",
                        ConvGeometry.square(6, 6, 128, 32, 1, 3, 2, 1), 131),
                Arguments.of("partial sums near 2^24: 128 x 2x2 -> 3", ConvGeometry.square(5, 5, 128, 3, 1, 2, 1, 0), 0),
                Arguments.of("partial sums at 2^24 when centred, twice that from raw levels: 1x1 1024 -> 8",
                        ConvGeometry.square(6, 6, 1024, 8, 1, 1, 1, 0), 128));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void equalsTheInt8Kernel(String name, ConvGeometry g, int zero) {
        Random rnd = new Random(name.hashCode());
        byte[] w = weights(name, g, rnd);
        boolean extreme = name.startsWith("partial sums");
        boolean biased = name.contains("biased");
        assertTrue(FmaLayout.takes(g, w, zero), name);
        if (extreme && g.kernelH() == 2) {
            assertEquals(255L * 512 * 128, FmaLayout.largestPartialSum(g, w, zero), "within 0.4% of 2^24");
        }
        if (extreme && name.contains("weights -57")) {
            // position (1, 1) sums all nine taps (9 x 57 = 513) against V = d11 + d12 + d21 + d22 <= 4 x 255
            assertEquals(32L * 513 * 1020, WinogradLayout.largestPartialSum(g, w, zero), "within 0.2% of 2^24");
        }
        if (extreme && g.kernelH() == 1) {
            assertEquals(FmaLayout.EXACT_LIMIT, FmaLayout.largestPartialSum(g, w, zero), "|q - z| <= 128 x 1024 x 128");
        }
        // the layers marked pointwise read the raw levels (FmaPointwise), those marked winograd run FmaWinograd, the
        // others centre them for the tiled convolution
        assertEquals(name.contains("pointwise"), FmaPointwise.takes(g, w), name);
        assertEquals(name.contains("winograd"), WinogradLayout.takes(g, w, zero), name);
        assertEquals(name.contains("exact small plane"), FmaLayout.exactSmallPlane(g), name);
        if (name.contains("runs")) {
            assertTrue(WinogradLayout.largestPartialSum(g, w, zero) > FmaLayout.EXACT_LIMIT, name + ": past 2^24 in one run");
            assertTrue(WinogradLayout.runs(g, w, zero) >= 2, name);
        }
        if (name.contains("weights -128")) {
            // 9 x 128 against 4 x 255 per channel: 14 channels per run, so 14 + 14 + 14 + 6
            assertArrayEquals(new int[] {0, 14, 28, 42, 48}, WinogradLayout.runStarts(g, w, zero));
        }
        byte[] in = levels(name, g, rnd);
        if (biased) {
            assertTrue(sumOfProducts(g, w, in, zero) > 2 * FmaLayout.EXACT_LIMIT, "output 0's sum is past 2^25");
        }
        float[] mult = new float[g.outChannels()], bias = new float[g.outChannels()];
        for (int o = 0; o < mult.length; o++) {
            mult[o] = (float) (rnd.nextDouble() * (extreme ? 1e-7 : 2e-4));
            bias[o] = (float) rnd.nextGaussian();
        }
        Requantization q = Requantization.toQuantized(mult, bias, true, new float[] {-1f}, new float[] {3f}, 256, false);
        Requantization f = Requantization.toFloat(mult, bias, false);
        Requantization fRelu = Requantization.toFloat(mult, bias, true);
        Int8ConvLayer direct = Int8ConvLayer.pack(g, QuantizedInput.u8(zero), w);
        byte[] wantQ = new byte[g.outputLength()];
        float[] wantF = new float[g.outputLength()];
        Int8Convolution.runQuantized(direct, q, in, 0, wantQ, 0, new int[direct.scratchInts()]);
        Int8Convolution.runFloat(direct, f, in, 0, wantF, 0, new int[direct.scratchInts()]);

        // the int8 kernel reads and writes NHWC, this one NCHW; offsets check that both honour them
        FmaConvolution fma = new FmaConvolution(g, zero, w);
        float[] centred = new float[fma.centredFloats()], sums = new float[fma.sumFloats()];
        float[] conv = new float[fma.convScratchFloats(1)];
        int at = 5;
        byte[] inNchw = new byte[at + in.length];
        System.arraycopy(nchw(in, g.inChannels(), g.inH() * g.inW()), 0, inNchw, at, in.length);
        byte[] gotQ = new byte[at + g.outputLength()];
        fma.run(inNchw, at, q, gotQ, null, at, centred, sums, conv);
        assertArrayEquals(nchw(wantQ, g.outChannels(), g.outH() * g.outW()), Arrays.copyOfRange(gotQ, at, gotQ.length), name + " levels");
        float[] gotF = new float[at + g.outputLength()];
        fma.run(inNchw, at, f, null, gotF, at, centred, sums, conv);
        assertArrayEquals(nchw(wantF, g.outChannels(), g.outH() * g.outW()), Arrays.copyOfRange(gotF, at, gotF.length), name + " fp32");
        // with ReLU: the int8 kernel's epilogue uses max(f, 0), this one a compare + blend; +0.0 for -0.0 in both
        float[] wantRelu = new float[g.outputLength()];
        Int8Convolution.runFloat(direct, fRelu, in, 0, wantRelu, 0, new int[direct.scratchInts()]);
        fma.run(inNchw, at, fRelu, null, gotF, at, centred, sums, conv);
        assertArrayEquals(nchw(wantRelu, g.outChannels(), g.outH() * g.outW()), Arrays.copyOfRange(gotF, at, gotF.length),
                name + " fp32 with ReLU");
        // with a batch norm's Multiply and Add after the ReLU: both kernels' epilogues against the separate f32 ops
        float[] postScale = new float[g.outChannels()], postShift = new float[g.outChannels()];
        for (int o = 0; o < postScale.length; o++) {
            postScale[o] = (float) rnd.nextGaussian();
            postShift[o] = (float) rnd.nextGaussian();
        }
        Requantization fAffine = Requantization.toFloat(mult, bias, true, postScale, postShift);
        float[] wantAffine = new float[g.outputLength()];
        int plane = g.outH() * g.outW();
        for (int i = 0; i < wantAffine.length; i++) {
            int o = i % g.outChannels(); // NHWC
            wantAffine[i] = wantRelu[i] * postScale[o] + postShift[o];
        }
        float[] gotAffineNhwc = new float[g.outputLength()];
        Int8Convolution.runFloat(direct, fAffine, in, 0, gotAffineNhwc, 0, new int[direct.scratchInts()]);
        assertArrayEquals(wantAffine, gotAffineNhwc, name + " fp32 with ReLU, Multiply and Add (int8 kernel)");
        fma.run(inNchw, at, fAffine, null, gotF, at, centred, sums, conv);
        assertArrayEquals(nchw(wantAffine, g.outChannels(), plane), Arrays.copyOfRange(gotF, at, gotF.length),
                name + " fp32 with ReLU, Multiply and Add");
        // with PReLU (slopes of both signs): storeChannelRun's loop against the int8 kernel's tiles
        float[] slope = new float[g.outChannels()];
        for (int o = 0; o < slope.length; o++) {
            slope[o] = (float) (rnd.nextDouble() * 2 - 0.5);
        }
        Requantization qPrelu = Requantization.toQuantizedPrelu(mult, bias, slope, new float[] {-1f}, new float[] {3f}, 256, false);
        Requantization fPrelu = Requantization.toFloatPrelu(mult, bias, slope);
        Int8Convolution.runQuantized(direct, qPrelu, in, 0, wantQ, 0, new int[direct.scratchInts()]);
        fma.run(inNchw, at, qPrelu, gotQ, null, at, centred, sums, conv);
        assertArrayEquals(nchw(wantQ, g.outChannels(), g.outH() * g.outW()), Arrays.copyOfRange(gotQ, at, gotQ.length),
                name + " levels with PReLU");
        Int8Convolution.runFloat(direct, fPrelu, in, 0, wantF, 0, new int[direct.scratchInts()]);
        fma.run(inNchw, at, fPrelu, null, gotF, at, centred, sums, conv);
        assertArrayEquals(nchw(wantF, g.outChannels(), g.outH() * g.outW()), Arrays.copyOfRange(gotF, at, gotF.length),
                name + " fp32 with PReLU");
    }

    @Test
    void onlyExactSingleGroupLayersAreTaken() {
        ConvGeometry wide = ConvGeometry.square(4, 4, 64, 4, 1, 3, 1, 1);
        byte[] w = new byte[4 * 64 * 9];
        Arrays.fill(w, (byte) 115);
        assertTrue(FmaLayout.takes(wide, w, 128), "576 terms of |w| 115 from levels within 128 of z: 8478720 <= 2^24");
        assertFalse(FmaLayout.takes(wide, w, 0), "the same weights from levels up to 255 above z: 16891200 > 2^24");
        w[7] = -128;
        assertEquals(255L * (575 * 115 + 128), FmaLayout.largestPartialSum(wide, w, 0), "the widest channel sets the bound");
        assertFalse(FmaLayout.takes(ConvGeometry.square(4, 4, 4, 4, 4, 3, 1, 1), new byte[4 * 9], 0), "depthwise has its own kernel");
        assertFalse(FmaLayout.takes(ConvGeometry.square(4, 4, 8, 8, 2, 3, 1, 1), new byte[8 * 4 * 9], 0), "grouped layers too");
        assertThrows(IllegalArgumentException.class, () -> new FmaConvolution(wide, 0, w));
        byte[] none = new byte[128 * 128 * 9];
        assertFalse(FmaLayout.takes(ConvGeometry.square(9, 9, 64, 128, 1, 1, 2, 0), new byte[128 * 64], 0),
                "strided 1x1 of 128 outputs: the int8 kernel is faster");
        assertTrue(FmaLayout.takes(ConvGeometry.square(9, 9, 64, 32, 1, 1, 2, 0), new byte[32 * 64], 0),
                "strided 1x1 of 32 outputs: not");
        assertFalse(FmaLayout.takes(ConvGeometry.square(5, 5, 128, 128, 1, 3, 1, 1), none, 0),
                "small plane of 25 outputs with 128 inputs: the int8 kernel is faster");
        assertTrue(FmaLayout.takes(ConvGeometry.square(9, 9, 128, 128, 1, 3, 1, 1), none, 0),
                "from 81 outputs, as Winograd");
        byte[] full = new byte[128 * 128 * 9];
        Arrays.fill(full, (byte) -128);
        assertEquals(0, WinogradLayout.runs(ConvGeometry.square(9, 9, 128, 128, 1, 3, 1, 1), full, 0),
                "128 channels at 14 per run: more than " + WinogradLayout.MAX_RUNS + " runs");
        assertFalse(FmaLayout.takes(ConvGeometry.square(9, 9, 128, 128, 1, 3, 1, 1), full, 0),
                "not as Winograd, and the int8 kernel is faster");
        assertTrue(FmaLayout.takes(ConvGeometry.square(18, 18, 128, 128, 1, 3, 1, 1), none, 0), "a larger plane is not");
        byte[] fullFm = new byte[512 * 256 * 9];
        Arrays.fill(fullFm, (byte) -128);
        assertTrue(FmaLayout.takes(ConvGeometry.square(4, 4, 256, 512, 1, 3, 1, 0), fullFm, 0),
                "2x2 outputs (head-pose's 256 -> 512): the small plane's exact mode, whatever the weights");
        assertFalse(FmaLayout.takes(ConvGeometry.square(6, 6, 256, 512, 1, 3, 1, 0), fullFm, 0),
                "4x4 outputs: the int8 kernel is faster");
    }

    /**
     * A fractional zero point's border term on every path of {@link #layers} (direct tiles from wide rows, phase
     * planes, gathered taps, small planes, exact Winograd in runs; the unpadded and pointwise layers have none), with
     * exact sums: the exact sum plus {@code (z - p) * (weights of the padded taps)}, within the two f32 roundings of
     * adding the term (the term itself, then the sum); with rounded sums allowed (the direct tiles then pad with the
     * level, the Winograd forms too): within 1e-5 of the largest sum, the bound of the rounded Winograd sums
     * (FmaConvolutionRoundedTest). Split over two threads, bit-identical.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void carriesTheBorderTermOnEveryPath(String name, ConvGeometry g, int zero) {
        Random rnd = new Random(name.hashCode());
        byte[] w = weights(name, g, rnd);
        byte[] in = nchw(levels(name, g, rnd), g.inChannels(), g.inH() * g.inW());
        float level = -0.3718f; // larger than the IRs' (|z - p| <= 0.03) so that a missing term shows in every sum
        double[] want = ScalarReference.convolutionWithBorderTerm(g, zero, in, w, level);
        double[] plain = ScalarReference.convolutionWithBorderTerm(g, zero, in, w, 0);
        double largest = 0;
        int border = 0;
        for (int i = 0; i < want.length; i++) {
            largest = Math.max(largest, Math.abs(want[i]));
            border += want[i] != plain[i] ? 1 : 0;
        }
        boolean padded = g.padTop() + g.padLeft() > 0;
        assertEquals(padded, border > 0, name + ": " + border + " outputs read the padding");
        for (boolean exactSums : new boolean[] {true, false}) {
            if (!FmaLayout.takes(g, w, zero, exactSums, true)) {
                continue; // rounded sums take every layer exact sums take; the reverse may not hold
            }
            float[] ones = new float[g.outChannels()], zeros = new float[g.outChannels()];
            Arrays.fill(ones, 1f);
            Requantization identity = Requantization.toFloat(ones, zeros, false); // fma(sum, 1, 0) = sum
            FmaConvolution fma = new FmaConvolution(g, zero, w, exactSums, level);
            float[] got = new float[g.outputLength()];
            fma.run(in, 0, identity, null, got, 0, new float[fma.centredFloats()], new float[fma.sumFloats()],
                    new float[fma.convScratchFloats(1)]);
            for (int i = 0; i < got.length; i++) {
                double term = want[i] - plain[i];
                double bound = exactSums ? Math.ulp((float) term) + Math.ulp((float) want[i]) : 1e-5 * largest;
                assertTrue(Math.abs(got[i] - want[i]) <= bound, name + (exactSums ? ", exact" : ", rounded") + ": output "
                        + i + " is " + got[i] + ", the exact sum " + plain[i] + " plus the border term " + term + " is "
                        + want[i]);
            }
            try (Parallel pool = Parallel.create(2, 0)) {
                float[] split = new float[g.outputLength()];
                fma.run(in, 0, identity, null, split, 0, new float[fma.centredFloats()], new float[fma.sumFloats()],
                        new float[fma.convScratchFloats(2)], pool);
                assertArrayEquals(got, split, name + ": split over two threads");
            }
        }
    }

    /**
     * A layer the speed rule leaves to the int8 kernel ({@link FmaLayout#int8KernelFaster}: head-pose's conv5, 128 ->
     * 256 at 4x4) runs here when it needs the border term, which the int8 kernel lacks: its sums are D plus the term
     * within the rounded Winograd sums' bound (1e-5 of the largest, FmaConvolutionRoundedTest).
     */
    @Test
    void aLayerThatNeedsTheBorderTermLeavesTheInt8Kernel() {
        ConvGeometry g = ConvGeometry.square(4, 4, 128, 256, 1, 3, 1, 1);
        Random rnd = new Random(5);
        byte[] w = new byte[256 * 128 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (rnd.nextInt(256) - 128);
        }
        byte[] in = new byte[g.inputLength()];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) rnd.nextInt(256);
        }
        assertTrue(FmaLayout.int8KernelFaster(g));
        assertFalse(FmaLayout.takes(g, w, 128, false), "the speed rule keeps it on the int8 kernel");
        assertTrue(FmaLayout.takes(g, w, 128, false, true), "unless it needs the border term");
        assertThrows(IllegalArgumentException.class, () -> new FmaConvolution(g, 128, w, false));
        float level = 0.0214f; // head-pose's conv5 input: z = 128.0214 padded with 128
        FmaConvolution fma = new FmaConvolution(g, 128, w, false, level);
        float[] ones = new float[256], zeros = new float[256];
        Arrays.fill(ones, 1f);
        float[] got = new float[g.outputLength()];
        fma.run(in, 0, Requantization.toFloat(ones, zeros, false), null, got, 0, new float[fma.centredFloats()],
                new float[fma.sumFloats()], new float[fma.convScratchFloats(1)]);
        double[] want = ScalarReference.convolutionWithBorderTerm(g, 128, in, w, level);
        double[] plain = ScalarReference.convolutionWithBorderTerm(g, 128, in, w, 0);
        double largest = 0, worst = 0, worstPlain = 0;
        for (int i = 0; i < want.length; i++) {
            largest = Math.max(largest, Math.abs(want[i]));
            worst = Math.max(worst, Math.abs(got[i] - want[i]));
            worstPlain = Math.max(worstPlain, Math.abs(plain[i] - want[i]));
        }
        assertTrue(worst <= 1e-5 * largest, "worst " + worst + " of " + largest);
        assertTrue(worstPlain > 10 * worst, "the term is " + worstPlain + " at most, the error " + worst);
    }

    /**
     * The layer's int8 weights as its name asks: every weight -57 or -128 ("partial sums"), full-range random,
     * biased (64-127), or random of at most 2^24 / (255 * k) in magnitude, which keeps wide layers exact (the real
     * layers' weights are well inside the bound; FmaLayout checks each layer).
     */
    private static byte[] weights(String name, ConvGeometry g, Random rnd) {
        int k = g.inChannels() * g.kernelH() * g.kernelW();
        byte[] w = new byte[g.outChannels() * k];
        boolean extreme = name.startsWith("partial sums");
        byte extremeWeight = name.contains("weights -57") ? (byte) -57 : (byte) -128;
        int span = name.contains("full-range") ? 256 : (int) Math.min(255, FmaLayout.EXACT_LIMIT / (255L * k) * 2);
        boolean biased = name.contains("biased");
        for (int i = 0; i < w.length; i++) {
            w[i] = extreme ? extremeWeight : biased ? (byte) (64 + rnd.nextInt(64)) : (byte) (rnd.nextInt(span) - span / 2);
        }
        return w;
    }

    /** The layer's NHWC input levels as its name asks: all 255 ("partial sums"), biased (128-255) or random. */
    private static byte[] levels(String name, ConvGeometry g, Random rnd) {
        boolean extreme = name.startsWith("partial sums");
        boolean biased = name.contains("biased");
        byte[] in = new byte[g.inputLength()];
        for (int i = 0; i < in.length; i++) {
            in[i] = extreme ? (byte) 255 : biased ? (byte) (128 + rnd.nextInt(128)) : (byte) rnd.nextInt(256);
        }
        return in;
    }

    /** Output channel 0's sum at output pixel (0, 0) of an unpadded layer (NHWC levels), as the definition. */
    private static long sumOfProducts(ConvGeometry g, byte[] w, byte[] in, int zero) {
        long sum = 0;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++) {
                for (int c = 0; c < g.inChannels(); c++) {
                    int level = in[(ky * g.inW() + kx) * g.inChannels() + c] & 0xFF;
                    sum += (long) (level - zero) * w[(c * g.kernelH() + ky) * g.kernelW() + kx];
                }
            }
        }
        return sum;
    }

    /** An NHWC byte[] or float[] of c channels and p pixels, NCHW. */
    private static <T> T nchw(T nhwc, int c, int p) {
        Object out = java.lang.reflect.Array.newInstance(nhwc.getClass().getComponentType(), c * p);
        for (int i = 0; i < p; i++) {
            for (int o = 0; o < c; o++) {
                java.lang.reflect.Array.set(out, o * p + i, java.lang.reflect.Array.get(nhwc, i * c + o));
            }
        }
        @SuppressWarnings("unchecked")
        T t = (T) out;
        return t;
    }
}
