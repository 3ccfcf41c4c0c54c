package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exact-integer-on-f32 path gives the bytes and floats of {@link Int8Convolution} (itself checked against the
 * scalar definition), for NHWC and NCHW input and output, including the longest exact reduction (512 terms, with
 * extreme levels and weights so the partial sums approach 2^24), padding with a non-zero zero point, strides and
 * a single output channel.
 */
class NarrowConvolutionTest {
    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("3x3 4 -> 1 (text-image's last layer)", ConvGeometry.square(9, 13, 4, 1, 1, 3, 1, 1), 37),
                Arguments.of("3x3 1 -> 4", ConvGeometry.square(8, 11, 1, 4, 1, 3, 1, 1), 0),
                Arguments.of("5x5 20 -> 2, zero point 128", ConvGeometry.square(7, 7, 20, 2, 1, 5, 1, 2), 128),
                Arguments.of("3x3 s2 pads 1/0 6 -> 3", new ConvGeometry(10, 9, 6, 3, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1), 200),
                Arguments.of("512-term reduction 128 x 2x2 -> 3", ConvGeometry.square(5, 5, 128, 3, 1, 2, 1, 0), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void equalsTheInt8Kernel(String name, ConvGeometry g, int zero) {
        assertTrue(NarrowLayout.takes(g), name);
        Random rnd = new Random(name.hashCode());
        int k = g.inChannels() * g.kernelH() * g.kernelW();
        byte[] w = new byte[g.outChannels() * k];
        byte[] in = new byte[g.inputLength()];
        boolean extreme = k == NarrowLayout.MAX_REDUCTION;
        for (int i = 0; i < w.length; i++) {
            w[i] = extreme ? (byte) -128 : (byte) rnd.nextInt(256);
        }
        for (int i = 0; i < in.length; i++) {
            in[i] = extreme ? (byte) 255 : (byte) rnd.nextInt(256);
        }
        float[] mult = new float[g.outChannels()], bias = new float[g.outChannels()];
        for (int o = 0; o < mult.length; o++) {
            mult[o] = (float) (rnd.nextDouble() * (extreme ? 1e-7 : 2e-4));
            bias[o] = (float) rnd.nextGaussian();
        }
        Requantization q = Requantization.toQuantized(mult, bias, true, new float[] {-1f}, new float[] {3f}, 256, false);
        Requantization f = Requantization.toFloat(mult, bias, false);
        Int8ConvLayer direct = Int8ConvLayer.pack(g, QuantizedInput.u8(zero), w);
        byte[] wantQ = new byte[g.outputLength()];
        float[] wantF = new float[g.outputLength()];
        Int8Convolution.runQuantized(direct, q, in, 0, wantQ, 0, new int[direct.scratchInts()]);
        Int8Convolution.runFloat(direct, f, in, 0, wantF, 0, new int[direct.scratchInts()]);

        NarrowConvolution narrow = new NarrowConvolution(g, zero, w);
        float[] centred = new float[narrow.centredFloats()], sums = new float[narrow.sumFloats()];
        float[] conv = new float[narrow.convScratchFloats()];
        byte[] gotQ = new byte[g.outputLength()];
        narrow.run(in, 0, true, q, gotQ, null, 0, true, centred, sums, conv);
        assertArrayEquals(wantQ, gotQ, name + " NHWC levels");
        float[] gotF = new float[g.outputLength()];
        narrow.run(in, 0, true, f, null, gotF, 0, false, centred, sums, conv);
        assertArrayEquals(nchw(wantF, g), gotF, name + " fp32, NCHW");

        byte[] inNchw = new byte[in.length];
        LevelTensors.toNchw(in, inNchw, 1, g.inChannels(), g.inH() * g.inW());
        byte[] gotNchw = new byte[g.outputLength()];
        narrow.run(inNchw, 0, false, q, gotNchw, null, 0, false, centred, sums, conv);
        byte[] wantNchw = new byte[wantQ.length];
        LevelTensors.toNchw(wantQ, wantNchw, 1, g.outChannels(), g.outH() * g.outW());
        assertArrayEquals(wantNchw, gotNchw, name + " NCHW in and out");
    }

    @Test
    void onlyNarrowExactLayersAreTaken() {
        assertFalse(NarrowLayout.takes(ConvGeometry.square(4, 4, 8, 8, 1, 3, 1, 1)), "8 outputs: the int8 kernel is faster");
        assertFalse(NarrowLayout.takes(ConvGeometry.square(4, 4, 64, 4, 1, 3, 1, 1)), "576 terms: not exact in f32");
        assertFalse(NarrowLayout.takes(ConvGeometry.square(4, 4, 32, 4, 1, 1, 1, 0)), "1x1: the pointwise path is faster");
        assertFalse(NarrowLayout.takes(ConvGeometry.square(4, 4, 4, 4, 4, 3, 1, 1)), "depthwise has its own kernel");
    }

    private static float[] nchw(float[] nhwc, ConvGeometry g) {
        int c = g.outChannels(), p = g.outH() * g.outW();
        float[] out = new float[nhwc.length];
        for (int i = 0; i < p; i++) {
            for (int o = 0; o < c; o++) {
                out[o * p + i] = nhwc[i * c + o];
            }
        }
        return out;
    }
}
