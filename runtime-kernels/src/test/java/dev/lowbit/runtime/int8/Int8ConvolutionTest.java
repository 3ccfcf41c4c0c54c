package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class Int8ConvolutionTest {

    static Stream<Arguments> geometries() {
        return Stream.of(
                // name, geometry, input quantization
                Arguments.of("1x1 64->64", ConvGeometry.square(7, 9, 64, 64, 1, 1, 1, 0), QuantizedInput.u8(0)),
                // the pointwise path (1x1, no padding): chunk and tile remainders, strides, groups, odd channels
                Arguments.of("1x1 130 pixels: two chunks, tile remainder 2", ConvGeometry.square(10, 13, 64, 64, 1, 1, 1, 0), QuantizedInput.u8(7)),
                Arguments.of("1x1 3 pixels, less than a tile", new ConvGeometry(1, 3, 40, 36, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1), QuantizedInput.u8(90)),
                Arguments.of("1x1 100->72 odd block count", ConvGeometry.square(6, 5, 100, 72, 1, 1, 1, 0), QuantizedInput.u8(33)),
                Arguments.of("1x1 stride2 odd channels 33->40", ConvGeometry.square(9, 7, 33, 40, 1, 1, 2, 0), QuantizedInput.u8(200)),
                Arguments.of("1x1 stride 2x1", new ConvGeometry(7, 10, 20, 48, 1, 1, 1, 2, 1, 0, 0, 0, 0, 1, 1), QuantizedInput.i8(-3)),
                Arguments.of("1x1 stride 1x3 dilation 2", new ConvGeometry(5, 11, 12, 16, 1, 1, 1, 1, 3, 0, 0, 0, 0, 2, 2), QuantizedInput.u8(4)),
                Arguments.of("1x1 groups 2 odd per group 34->50", ConvGeometry.square(5, 6, 34, 50, 2, 1, 1, 0), QuantizedInput.u8(128)),
                Arguments.of("1x1 groups 4 stride 2", ConvGeometry.square(8, 9, 64, 128, 4, 1, 2, 0), QuantizedInput.i8(11)),
                Arguments.of("1x1 one odd channel", ConvGeometry.square(3, 5, 1, 3, 1, 1, 1, 0), QuantizedInput.u8(250)),
                Arguments.of("1x1 27->16, one block: 4-pixel tiles of one block", ConvGeometry.square(6, 7, 27, 16, 1, 1, 1, 0), QuantizedInput.u8(12)),
                Arguments.of("1x1 64->8 squeeze, half a block", ConvGeometry.square(5, 5, 64, 8, 1, 1, 1, 0), QuantizedInput.u8(3)),
                // 1x1 with padding takes the general path
                Arguments.of("1x1 pad1 (general path)", ConvGeometry.square(5, 5, 16, 32, 1, 1, 1, 1), QuantizedInput.u8(21)),
                Arguments.of("1x1 pad bottom only (general path)", new ConvGeometry(4, 6, 18, 20, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1), QuantizedInput.u8(5)),
                Arguments.of("3x3 pad1 zero point 131", ConvGeometry.square(6, 11, 16, 32, 1, 3, 1, 1), QuantizedInput.u8(131)),
                Arguments.of("3x3 stride2 odd channels", ConvGeometry.square(9, 10, 3, 24, 1, 3, 2, 1), QuantizedInput.u8(17)),
                Arguments.of("5x5 pad2 oc tail 40", ConvGeometry.square(8, 8, 8, 40, 1, 5, 1, 2), QuantizedInput.u8(255)),
                Arguments.of("dilation2 asymmetric pads", new ConvGeometry(10, 9, 6, 20, 1, 3, 3, 1, 2, 0, 2, 3, 1, 2, 2), QuantizedInput.u8(64)),
                Arguments.of("7x1 kernel", new ConvGeometry(12, 5, 10, 16, 1, 7, 1, 1, 1, 3, 0, 3, 0, 1, 1), QuantizedInput.u8(3)),
                Arguments.of("groups 3 odd per group", ConvGeometry.square(7, 7, 9, 6, 3, 3, 1, 1), QuantizedInput.u8(100)),
                Arguments.of("groups 2 with 48 per group", ConvGeometry.square(5, 6, 64, 96, 2, 3, 1, 1), QuantizedInput.u8(1)),
                Arguments.of("i8 input zero point -5", ConvGeometry.square(6, 7, 32, 33, 1, 3, 1, 1), QuantizedInput.i8(-5)),
                Arguments.of("i8 input zero point 127", ConvGeometry.square(5, 5, 7, 17, 1, 3, 2, 2), QuantizedInput.i8(127)),
                Arguments.of("single channel in and out", ConvGeometry.square(4, 4, 1, 1, 1, 3, 1, 1), QuantizedInput.u8(200)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void floatOutputEqualsExactIntegerDotProduct(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(name.hashCode());
        byte[] in = randomBytes(rnd, g.inputLength() + 5);
        byte[] w = randomBytes(rnd, g.outChannels() * g.inPerGroup() * g.kernelH() * g.kernelW());
        int[] expected = ScalarReference.convolution(g, q, slice(in, 5, g.inputLength()), w);

        Int8ConvLayer layer = Int8ConvLayer.pack(g, q, w);
        float[] out = new float[g.outputLength() + 3];
        float[] ones = filled(g.outChannels(), 1f);
        // multiplier 1, bias 0: the fp32 output is (float) D, exact here since |D| < 2^24 for these sizes
        Int8Convolution.runFloat(layer, Requantization.toFloat(ones, new float[g.outChannels()], false),
                in, 5, out, 3, new int[layer.scratchInts()]);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[3 + i], 0f, "element " + i);
        }
        assertEquals(0f, out[0], "nothing written before outOff");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void quantizedOutputMatchesScalarEpilogueOfExactProduct(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(~name.hashCode());
        byte[] in = randomBytes(rnd, g.inputLength());
        byte[] w = randomBytes(rnd, g.outChannels() * g.inPerGroup() * g.kernelH() * g.kernelW());
        int[] d = ScalarReference.convolution(g, q, in, w);
        int oc = g.outChannels();
        float[] mult = new float[oc];
        float[] bias = new float[oc];
        for (int c = 0; c < oc; c++) {
            mult[c] = 1e-4f * (1 + rnd.nextInt(50));
            bias[c] = rnd.nextFloat() * 2 - 1;
        }
        Int8ConvLayer layer = Int8ConvLayer.pack(g, q, w);
        for (boolean signedOut : new boolean[] {false, true}) {
            Requantization r = Requantization.toQuantized(mult, bias, rnd.nextBoolean(), new float[] {-1.5f}, new float[] {2.5f}, 256, signedOut);
            byte[] out = new byte[g.outputLength()];
            Int8Convolution.runQuantized(layer, r, in, 0, out, 0, new int[layer.scratchInts()]);
            for (int i = 0; i < d.length; i++) {
                assertEquals((byte) r.quantizeScalar(d[i], i % oc), out[i], "element " + i + " signed=" + signedOut);
            }
        }
    }

    @Test
    void extremeValuesAtTheLargestReductionDoNotOverflow() {
        // 1x1 conv, one pixel, K = MAX_REDUCTION: |D| = 65793 * 255 * 128 is just below 2^31.
        int k = ConvGeometry.MAX_REDUCTION;
        ConvGeometry g = ConvGeometry.square(1, 1, k, 2, 1, 1, 1, 0);
        byte[] in = new byte[k];
        java.util.Arrays.fill(in, (byte) 255);
        byte[] w = new byte[2 * k];
        java.util.Arrays.fill(w, 0, k, (byte) -128);
        java.util.Arrays.fill(w, k, 2 * k, (byte) 127);
        Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(0), w);
        float[] out = new float[2];
        Int8Convolution.runFloat(layer, Requantization.toFloat(new float[] {1f, 1f}, new float[2], false), in, 0, out, 0,
                new int[layer.scratchInts()]);
        assertEquals((float) (-128L * 255 * k), out[0], 0f);
        assertEquals((float) (127L * 255 * k), out[1], 0f);
    }

    @Test
    void rejectsReductionThatCouldOverflow() {
        assertThrows(IllegalArgumentException.class, () -> ConvGeometry.square(1, 1, ConvGeometry.MAX_REDUCTION + 1, 1, 1, 1, 1, 0));
    }

    @Test
    void rejectsTooSmallScratch() {
        ConvGeometry g = ConvGeometry.square(4, 4, 4, 4, 1, 3, 1, 1);
        Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(0), new byte[4 * 4 * 9]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Int8Convolution.runFloat(layer,
                Requantization.toFloat(new float[4], new float[4], false), new byte[64], 0, new float[64], 0, new int[10]));
        assertEquals(true, e.getMessage().contains("scratch"), e.getMessage());
    }

    @Test
    void rejectsARequantizationOfTheWrongKindOrWidth() {
        ConvGeometry g = ConvGeometry.square(4, 4, 4, 4, 1, 3, 1, 1);
        Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(0), new byte[4 * 4 * 9]);
        Requantization toFloat = Requantization.toFloat(new float[4], new float[4], false);
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> Int8Convolution.runQuantized(
                layer, toFloat, new byte[64], 0, new byte[64], 0, new int[layer.scratchInts()]));
        assertEquals("requantization writes fp32; use runFloat", kind.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> Int8Convolution.runFloat(
                layer, Requantization.toFloat(new float[3], new float[3], false), new byte[64], 0, new float[64], 0,
                new int[layer.scratchInts()]));
        assertEquals("requantization has 3 channels, layer 4", width.getMessage());
    }

    @Test
    void rejectsOutputArrayTooShortForTheOffset() {
        ConvGeometry g = ConvGeometry.square(4, 4, 4, 4, 1, 3, 1, 1);
        Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(0), new byte[4 * 4 * 9]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Int8Convolution.runFloat(layer,
                Requantization.toFloat(new float[4], new float[4], false), new byte[64], 0, new float[64], 1, new int[layer.scratchInts()]));
        assertEquals(true, e.getMessage().startsWith("output: 64 values needed from offset 1"), e.getMessage());
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }

    static byte[] slice(byte[] b, int off, int n) {
        return java.util.Arrays.copyOfRange(b, off, off + n);
    }
}
