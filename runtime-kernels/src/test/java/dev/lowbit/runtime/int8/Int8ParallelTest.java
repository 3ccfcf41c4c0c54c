package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lowbit.runtime.Parallel;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The int8 kernels split over a {@link Parallel} pool write bit-identical outputs to the single-thread run, for
 * thread counts that do and do not divide the work (chunks ending inside a row, between the two blocks of a
 * tile pair, ...). The single-thread run is itself checked against the scalar reference by the kernel tests.
 */
class Int8ParallelTest {
    /** Splits every layer, however small. */
    private static final Parallel[] POOLS = {Parallel.create(2, 0), Parallel.create(3, 0), Parallel.create(5, 0)};

    @AfterAll
    static void closePools() {
        for (Parallel p : POOLS) {
            p.close();
        }
    }

    static Stream<Arguments> convolutions() {
        return Stream.of(
                Arguments.of("1x1 64->64", ConvGeometry.square(7, 9, 64, 64, 1, 1, 1, 0), QuantizedInput.u8(0)),
                Arguments.of("1x1 130 pixels: chunks ending between block pairs", ConvGeometry.square(10, 13, 64, 80, 1, 1, 1, 0), QuantizedInput.u8(7)),
                Arguments.of("1x1 stride2 odd channels", ConvGeometry.square(9, 7, 33, 40, 1, 1, 2, 0), QuantizedInput.u8(200)),
                Arguments.of("1x1 groups 2 odd per group", ConvGeometry.square(5, 6, 34, 50, 2, 1, 1, 0), QuantizedInput.u8(128)),
                Arguments.of("1x1 pad1 (general path)", ConvGeometry.square(5, 5, 16, 32, 1, 1, 1, 1), QuantizedInput.u8(21)),
                Arguments.of("3x3 pad1 oc 80 (odd block count)", ConvGeometry.square(6, 11, 16, 80, 1, 3, 1, 1), QuantizedInput.u8(131)),
                Arguments.of("3x3 stride2 one row", ConvGeometry.square(2, 10, 3, 24, 1, 3, 2, 1), QuantizedInput.u8(17)),
                Arguments.of("groups 2 with 48 per group", ConvGeometry.square(5, 6, 64, 96, 2, 3, 1, 1), QuantizedInput.u8(1)),
                Arguments.of("i8 input, 1x1 output plane", ConvGeometry.square(3, 3, 32, 200, 1, 3, 1, 0), QuantizedInput.i8(-5)),
                Arguments.of("fully connected 300 -> 1000", Int8FullyConnected.geometry(1, 300, 1000), QuantizedInput.u8(9)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convolutions")
    void convolutionSplitIsBitIdentical(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(name.hashCode());
        byte[] in = bytes(rnd, g.inputLength());
        Int8ConvLayer layer = Int8ConvLayer.pack(g, q, bytes(rnd, g.outChannels() * g.inPerGroup() * g.kernelH() * g.kernelW()));
        Requantization toFloat = Requantization.toFloat(multipliers(rnd, g.outChannels()), biases(rnd, g.outChannels()), true);
        Requantization toBytes = Requantization.toQuantized(multipliers(rnd, g.outChannels()), biases(rnd, g.outChannels()), false,
                new float[] {-1.5f}, new float[] {2.5f}, 256, false);
        float[] f1 = new float[g.outputLength()];
        byte[] b1 = new byte[g.outputLength()];
        Int8Convolution.runFloat(layer, toFloat, in, 0, f1, 0, new int[layer.scratchInts()]);
        Int8Convolution.runQuantized(layer, toBytes, in, 0, b1, 0, new int[layer.scratchInts()]);
        for (Parallel p : POOLS) {
            int[] scratch = new int[layer.scratchInts(p.threads())];
            float[] f = new float[g.outputLength()];
            byte[] b = new byte[g.outputLength()];
            Int8Convolution.runFloat(layer, toFloat, in, 0, f, 0, scratch, p);
            Int8Convolution.runQuantized(layer, toBytes, in, 0, b, 0, scratch, p);
            assertArrayEquals(f1, f, p + ": fp32 output");
            assertArrayEquals(b1, b, p + ": int8 output");
        }
    }

    /** The FMA path: centring, planes, sums and epilogue split by channel and row ranges; levels and fp32 outputs. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.lowbit.runtime.int8.FmaConvolutionTest#layers")
    void fmaConvolutionSplitIsBitIdentical(String name, ConvGeometry g, int zero) {
        Random rnd = new Random(name.hashCode());
        int k = g.inChannels() * g.kernelH() * g.kernelW();
        // full-range weights as FmaConvolutionTest draws them: a Winograd layer's sums run in runs of channels
        int span = name.contains("full-range") ? 256 : (int) Math.min(255, FmaLayout.EXACT_LIMIT / (255L * k) * 2);
        byte[] w = new byte[g.outChannels() * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (rnd.nextInt(span) - span / 2);
        }
        if (name.contains("full-range") && name.contains("winograd")) {
            assertTrue(WinogradLayout.runs(g, w, zero) >= 2, name);
        }
        byte[] in = bytes(rnd, g.inputLength());
        FmaConvolution fma = new FmaConvolution(g, zero, w);
        Requantization toFloat = Requantization.toFloat(multipliers(rnd, g.outChannels()), biases(rnd, g.outChannels()), true);
        Requantization toBytes = Requantization.toQuantized(multipliers(rnd, g.outChannels()), biases(rnd, g.outChannels()), false,
                new float[] {-1.5f}, new float[] {2.5f}, 256, false);
        float[] f1 = new float[g.outputLength()];
        byte[] b1 = new byte[g.outputLength()];
        fma.run(in, 0, toFloat, null, f1, 0, new float[fma.centredFloats()], new float[fma.sumFloats()],
                new float[fma.convScratchFloats(1)]);
        fma.run(in, 0, toBytes, b1, null, 0, new float[fma.centredFloats()], new float[fma.sumFloats()],
                new float[fma.convScratchFloats(1)]);
        for (Parallel p : POOLS) {
            float[] f = new float[g.outputLength()];
            byte[] b = new byte[g.outputLength()];
            float[] centred = new float[fma.centredFloats()], sums = new float[fma.sumFloats()];
            float[] conv = new float[fma.convScratchFloats(p.threads())];
            fma.run(in, 0, toFloat, null, f, 0, centred, sums, conv, p);
            fma.run(in, 0, toBytes, b, null, 0, centred, sums, conv, p);
            assertArrayEquals(f1, f, p + ": fp32 output");
            assertArrayEquals(b1, b, p + ": int8 output");
        }
    }

    @Test
    void depthwiseSplitIsBitIdentical() {
        Random rnd = new Random(7);
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.square(9, 13, 40, 40, 40, 3, 1, 1),
                ConvGeometry.square(8, 8, 64, 64, 64, 3, 2, 1), ConvGeometry.square(1, 7, 24, 24, 24, 3, 1, 1)}) {
            Int8DepthwiseLayer layer = Int8DepthwiseLayer.pack(g, QuantizedInput.u8(77), bytes(rnd, g.outChannels() * 9));
            byte[] in = bytes(rnd, g.inputLength());
            Requantization r = Requantization.toQuantized(multipliers(rnd, g.outChannels()), biases(rnd, g.outChannels()), true,
                    new float[] {0f}, new float[] {3f}, 256, false);
            byte[] expected = new byte[g.outputLength()];
            Int8DepthwiseConvolution.runQuantized(layer, r, in, 0, expected, 0, new int[layer.scratchInts()]);
            for (Parallel p : POOLS) {
                byte[] out = new byte[g.outputLength()];
                Int8DepthwiseConvolution.runQuantized(layer, r, in, 0, out, 0, new int[layer.scratchInts(p.threads())], p);
                assertArrayEquals(expected, out, g + " on " + p);
            }
        }
    }

    @Test
    void levelTensorPassesSplitAreBitIdentical() {
        Random rnd = new Random(11);
        int batch = 2, channels = 37, pixels = 53;
        byte[] nchw = bytes(rnd, batch * channels * pixels);
        byte[] nhwc1 = new byte[nchw.length], back1 = new byte[nchw.length], slice1 = new byte[channels * pixels];
        LevelTensors.toNhwc(nchw, nhwc1, batch, channels, pixels);
        LevelTensors.toNchw(nhwc1, back1, batch, channels, pixels);
        assertArrayEquals(nchw, back1, "toNchw inverts toNhwc");
        LevelTensors.sliceToNhwc(nchw, 5 * pixels, slice1, 20, pixels);
        byte[] pool1 = new byte[batch * channels * 27 * 4];
        LevelTensors.maxPool(nchw, pool1, batch * channels, 1, pixels, 1, 27, 1, 3, 1, 2, 0, 1);
        int segments = 3;
        float[] d = new float[segments * pixels * channels];
        for (int i = 0; i < d.length; i++) {
            d[i] = rnd.nextInt(20001) - 10000;
        }
        float[] mult = multipliers(rnd, segments * channels), bias = biases(rnd, channels);
        byte[] q1 = new byte[pixels * channels];
        float[] f1 = new float[pixels * channels];
        LevelTensors.combineSegments(d, segments, pixels, channels, bias, mult, true, new float[] {0f}, new float[] {2f}, 256, q1, 0, null, 0);
        LevelTensors.combineSegments(d, segments, pixels, channels, bias, mult, false, null, null, 0, null, 0, f1, 0);
        byte[] planesQ1 = new byte[pixels * channels];
        float[] planesF1 = new float[pixels * channels];
        LevelTensors.combinePlanes(d, segments, pixels, channels, bias, mult, true, new float[] {0f}, new float[] {2f}, 256, planesQ1, 0, null, 0);
        LevelTensors.combinePlanes(d, segments, pixels, channels, bias, mult, false, null, null, 0, null, 0, planesF1, 0);
        for (Parallel p : POOLS) {
            byte[] nhwc = new byte[nchw.length], back = new byte[nchw.length], slice = new byte[channels * pixels];
            LevelTensors.toNhwc(nchw, nhwc, batch, channels, pixels, p);
            LevelTensors.toNchw(nhwc, back, batch, channels, pixels, p);
            LevelTensors.sliceToNhwc(nchw, 5 * pixels, slice, 20, pixels, p);
            assertArrayEquals(nhwc1, nhwc, "toNhwc on " + p);
            assertArrayEquals(back1, back, "toNchw on " + p);
            assertArrayEquals(slice1, slice, "sliceToNhwc on " + p);
            byte[] pool = new byte[pool1.length];
            LevelTensors.maxPool(nchw, pool, batch * channels, 1, pixels, 1, 27, 1, 3, 1, 2, 0, 1, p);
            assertArrayEquals(pool1, pool, "maxPool on " + p);
            byte[] q = new byte[q1.length];
            float[] f = new float[f1.length];
            LevelTensors.combineSegments(d, segments, pixels, channels, bias, mult, true, new float[] {0f}, new float[] {2f}, 256, q, 0, false, null, 0, p);
            LevelTensors.combineSegments(d, segments, pixels, channels, bias, mult, false, null, null, 0, null, 0, false, f, 0, p);
            assertArrayEquals(q1, q, "combineSegments to levels on " + p);
            assertArrayEquals(f1, f, "combineSegments to f32 on " + p);
            byte[] planesQ = new byte[q1.length];
            float[] planesF = new float[f1.length];
            LevelTensors.combinePlanes(d, segments, pixels, channels, bias, mult, true, new float[] {0f}, new float[] {2f}, 256, planesQ, 0, null, 0, p);
            LevelTensors.combinePlanes(d, segments, pixels, channels, bias, mult, false, null, null, 0, null, 0, planesF, 0, p);
            assertArrayEquals(planesQ1, planesQ, "combinePlanes to levels on " + p);
            assertArrayEquals(planesF1, planesF, "combinePlanes to f32 on " + p);
        }
    }

    @Test
    void splitRunNeedsScratchForEveryThread() {
        ConvGeometry g = ConvGeometry.square(6, 6, 16, 32, 1, 3, 1, 1);
        Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(0), new byte[32 * 16 * 9]);
        Requantization r = Requantization.toFloat(new float[32], new float[32], false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Int8Convolution.runFloat(
                layer, r, new byte[g.inputLength()], 0, new float[g.outputLength()], 0, new int[layer.scratchInts()], POOLS[0]));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("for 2 thread(s)"), e.getMessage());
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static float[] multipliers(Random rnd, int n) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = 1e-4f * (1 + rnd.nextInt(50));
        }
        return m;
    }

    private static float[] biases(Random rnd, int n) {
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = rnd.nextFloat() * 2 - 1;
        }
        return m;
    }
}
