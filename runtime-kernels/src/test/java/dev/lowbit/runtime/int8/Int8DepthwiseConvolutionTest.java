package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Int8DepthwiseConvolutionTest {

    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of("3x3 pad1 32 channels zero point 128", ConvGeometry.square(9, 10, 32, 32, 32, 3, 1, 1), QuantizedInput.u8(128)),
                Arguments.of("3x3 stride2 24 channels", ConvGeometry.square(11, 7, 24, 24, 24, 3, 2, 1), QuantizedInput.u8(5)),
                Arguments.of("5x5 dilation2 17 channels", new ConvGeometry(12, 13, 17, 17, 17, 5, 5, 1, 1, 4, 4, 4, 4, 2, 2), QuantizedInput.u8(250)),
                Arguments.of("asymmetric pads 3x1", new ConvGeometry(6, 6, 40, 40, 40, 3, 1, 2, 1, 0, 0, 2, 0, 1, 1), QuantizedInput.u8(0)),
                Arguments.of("i8 input", ConvGeometry.square(5, 9, 16, 16, 16, 3, 1, 1), QuantizedInput.i8(-100)),
                Arguments.of("one channel", ConvGeometry.square(4, 5, 1, 1, 1, 3, 1, 1), QuantizedInput.u8(77)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void floatOutputEqualsExactIntegerDotProduct(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(name.hashCode());
        byte[] in = Int8ConvolutionTest.randomBytes(rnd, g.inputLength());
        byte[] w = Int8ConvolutionTest.randomBytes(rnd, g.outChannels() * g.kernelH() * g.kernelW());
        int[] expected = ScalarReference.convolution(g, q, in, w);
        Int8DepthwiseLayer layer = Int8DepthwiseLayer.pack(g, q, w);
        float[] out = new float[g.outputLength()];
        // multiplier 1, bias 0: output is (float) D, exact since |D| < 2^24
        Int8DepthwiseConvolution.runFloat(layer, Requantization.toFloat(Int8ConvolutionTest.filled(g.outChannels(), 1f),
                new float[g.outChannels()], false), in, 0, out, 0, new int[layer.scratchInts()]);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[i], 0f, "element " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void quantizedOutputMatchesScalarEpilogue(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(~name.hashCode());
        byte[] in = Int8ConvolutionTest.randomBytes(rnd, g.inputLength() + 7);
        byte[] w = Int8ConvolutionTest.randomBytes(rnd, g.outChannels() * g.kernelH() * g.kernelW());
        int[] d = ScalarReference.convolution(g, q, Int8ConvolutionTest.slice(in, 7, g.inputLength()), w);
        int oc = g.outChannels();
        float[] m = new float[oc];
        float[] b = new float[oc];
        for (int c = 0; c < oc; c++) {
            m[c] = 0.002f * (1 + rnd.nextInt(20));
            b[c] = rnd.nextFloat() - 0.5f;
        }
        Requantization r = Requantization.toQuantized(m, b, true, new float[] {-2f}, new float[] {6f}, 256, false);
        Int8DepthwiseLayer layer = Int8DepthwiseLayer.pack(g, q, w);
        byte[] out = new byte[g.outputLength() + 2];
        Int8DepthwiseConvolution.runQuantized(layer, r, in, 7, out, 2, new int[layer.scratchInts()]);
        for (int i = 0; i < d.length; i++) {
            assertEquals((byte) r.quantizeScalar(d[i], i % oc), out[2 + i], "element " + i);
        }
    }

    @Test
    void rejectsNonDepthwiseGeometry() {
        ConvGeometry g = ConvGeometry.square(4, 4, 8, 8, 2, 3, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> Int8DepthwiseLayer.pack(g, QuantizedInput.u8(0), new byte[8 * 9]));
    }
}
