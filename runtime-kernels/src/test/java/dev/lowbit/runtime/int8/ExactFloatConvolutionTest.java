package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ExactFloatConvolutionTest {

    static Stream<Arguments> geometries() {
        return Stream.concat(Int8ConvolutionTest.geometries(), Stream.of(
                // 200 channels x 9 taps: 1800 terms, two f32 chunks of at most 1024
                Arguments.of("3x3 200 channels, chunked", ConvGeometry.square(5, 6, 200, 32, 1, 3, 1, 1), QuantizedInput.u8(9)),
                Arguments.of("1x1 1024 channels, one full chunk", ConvGeometry.square(2, 5, 1024, 16, 1, 1, 1, 0), QuantizedInput.i8(3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void floatOutputEqualsExactIntegerDotProduct(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(name.hashCode() + 1);
        byte[] in = Int8ConvolutionTest.randomBytes(rnd, g.inputLength());
        byte[] w = Int8ConvolutionTest.randomBytes(rnd, g.outChannels() * g.inPerGroup() * g.kernelH() * g.kernelW());
        int[] expected = ScalarReference.convolution(g, q, in, w);
        ExactFloatConvLayer layer = new ExactFloatConvLayer(Int8ConvLayer.pack(g, q, w));
        float[] out = new float[g.outputLength()];
        // multiplier 1, bias 0: the output is (float) D, exact since |D| < 2^24 here
        ExactFloatConvolution.runFloat(layer, Requantization.toFloat(Int8ConvolutionTest.filled(g.outChannels(), 1f),
                new float[g.outChannels()], false), in, 0, out, 0, new float[layer.scratchFloats()], new int[ExactFloatConvolution.TILE_INTS]);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[i], 0f, "element " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void quantizedOutputIsBitIdenticalToTheInt16Kernel(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(name.hashCode() + 2);
        byte[] in = Int8ConvolutionTest.randomBytes(rnd, g.inputLength());
        byte[] w = Int8ConvolutionTest.randomBytes(rnd, g.outChannels() * g.inPerGroup() * g.kernelH() * g.kernelW());
        float[] m = new float[g.outChannels()];
        float[] b = new float[g.outChannels()];
        for (int c = 0; c < m.length; c++) {
            m[c] = 2e-4f * (1 + rnd.nextInt(30));
            b[c] = rnd.nextFloat() - 0.5f;
        }
        Requantization r = Requantization.toQuantized(m, b, true, new float[] {-1f}, new float[] {3f}, 256, false);
        Int8ConvLayer int8 = Int8ConvLayer.pack(g, q, w);
        byte[] expected = new byte[g.outputLength()];
        Int8Convolution.runQuantized(int8, r, in, 0, expected, 0, new int[int8.scratchInts()]);
        ExactFloatConvLayer layer = new ExactFloatConvLayer(int8);
        byte[] out = new byte[g.outputLength()];
        ExactFloatConvolution.runQuantized(layer, r, in, 0, out, 0, new float[layer.scratchFloats()], new int[ExactFloatConvolution.TILE_INTS]);
        assertEquals(Arrays.toString(expected), Arrays.toString(out));
    }

    @Test
    void partialSumsOfExactly2To24StayExact() {
        // u8 x = 0 centres to -128, w = -128: every product is 2^14, 1024 of them make 2^24 in one f32 chunk.
        ConvGeometry g = ConvGeometry.square(1, 4, 1024, 16, 1, 1, 1, 0);
        byte[] w = new byte[16 * 1024];
        Arrays.fill(w, (byte) -128);
        ExactFloatConvLayer layer = new ExactFloatConvLayer(Int8ConvLayer.pack(g, QuantizedInput.u8(0), w));
        float[] out = new float[g.outputLength()];
        ExactFloatConvolution.runFloat(layer, Requantization.toFloat(Int8ConvolutionTest.filled(16, 1f), new float[16], false),
                new byte[g.inputLength()], 0, out, 0, new float[layer.scratchFloats()], new int[ExactFloatConvolution.TILE_INTS]);
        for (float v : out) {
            assertEquals(0f, v, 0f, "x = z = 0 gives D = 0 after compensation");
        }
    }

    @Test
    void rejectsMoreThan1024ChannelsPerGroup() {
        ConvGeometry g = ConvGeometry.square(1, 1, 1025, 1, 1, 1, 1, 0);
        Int8ConvLayer int8 = Int8ConvLayer.pack(g, QuantizedInput.u8(0), new byte[1025]);
        assertThrows(IllegalArgumentException.class, () -> new ExactFloatConvLayer(int8));
    }
}
