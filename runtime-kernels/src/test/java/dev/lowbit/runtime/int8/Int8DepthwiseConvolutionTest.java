package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * With a border level {@code z - p} every output whose window reads the padding gets {@code (z - p) * (sum of
     * its padded taps' weights)} added to its dot product before the epilogue, the others none: the float output
     * (multiplier 1, bias 0) is that sum within f32 rounding, on every geometry above.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void aBorderLevelAddsTheBorderTermToThePixelsThatReadThePadding(String name, ConvGeometry g, QuantizedInput q) {
        Random rnd = new Random(name.hashCode() + 1);
        byte[] in = Int8ConvolutionTest.randomBytes(rnd, g.inputLength());
        byte[] w = Int8ConvolutionTest.randomBytes(rnd, g.outChannels() * g.kernelH() * g.kernelW());
        int[] d = ScalarReference.convolution(g, q, in, w);
        float level = -0.02643f; // person-detection's bottleneck1_3: z = 128.02469 padded with p = 128, negated
        DepthwiseTaps taps = new DepthwiseTaps(g, w);
        Int8DepthwiseLayer packed = Int8DepthwiseLayer.pack(g, q, w);
        Int8DepthwiseLayer layer = new Int8DepthwiseLayer(g, q, packed.packedWeights,
                new dev.lowbit.runtime.pack.DepthwiseWeightLayout(g.outChannels(), g.kernelH(), g.kernelW()).weightSums(w),
                level);
        float[] out = new float[g.outputLength()];
        Int8DepthwiseConvolution.runFloat(layer, Requantization.toFloat(Int8ConvolutionTest.filled(g.outChannels(), 1f),
                new float[g.outChannels()], false), in, 0, out, 0, new int[layer.scratchInts()]);
        int bordered = 0;
        for (int i = 0; i < d.length; i++) {
            int oc = i % g.outChannels(), pixel = i / g.outChannels();
            long padded = taps.paddedWeightSum(pixel / g.outW(), pixel % g.outW(), oc);
            bordered += padded != 0 ? 1 : 0;
            double want = d[i] + (double) level * padded;
            // f32: the dot product (|D| < 2^24, exact) plus the term rounded once
            assertEquals(want, out[i], Math.ulp((float) want) * 2, name + " element " + i);
        }
        assertTrue(bordered > 0, name + ": no output read the padding with non-zero weights");
    }

    /** The padded taps of each output pixel, from the definition. */
    private record DepthwiseTaps(ConvGeometry g, byte[] w) {
        long paddedWeightSum(int oy, int ox, int oc) {
            long sum = 0;
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++) {
                    int y = oy * g.strideH() + ky * g.dilationH() - g.padTop();
                    int x = ox * g.strideW() + kx * g.dilationW() - g.padLeft();
                    if (y < 0 || y >= g.inH() || x < 0 || x >= g.inW()) {
                        sum += w[(oc * g.kernelH() + ky) * g.kernelW() + kx];
                    }
                }
            }
            return sum;
        }
    }

    @Test
    void rejectsNonDepthwiseGeometry() {
        ConvGeometry g = ConvGeometry.square(4, 4, 8, 8, 2, 3, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> Int8DepthwiseLayer.pack(g, QuantizedInput.u8(0), new byte[8 * 9]));
    }
}
