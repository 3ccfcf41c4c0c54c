package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.Parallel;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A layer run on gathered patches gives exactly the bytes and floats of the direct {@link Int8Convolution} (itself
 * checked against the scalar definition by {@link Int8ConvolutionTest}): the same integers, so any difference is a
 * bug in the gather or the weight order. Geometries: the first layers of the shared models (7x7 stride 2 with
 * asymmetric padding, 3x3 on RGB), SqueezeNet's 8-channel expand layer, dilation, an odd channel count, a zero
 * point that is not 0 (padding must count as it), i8 input, and a batch offset.
 */
class PatchGatherTest {
    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("7x7 s2 RGB, pads 3/2 (face-detection-retail)",
                        new ConvGeometry(30, 30, 3, 32, 1, 7, 7, 2, 2, 3, 3, 2, 2, 1, 1), QuantizedInput.u8(37)),
                Arguments.of("3x3 RGB -> 16 (landmarks)", ConvGeometry.square(12, 12, 3, 16, 1, 3, 1, 1), QuantizedInput.u8(128)),
                Arguments.of("3x3 8 -> 32 (fire expand)", ConvGeometry.square(9, 11, 8, 32, 1, 3, 1, 1), QuantizedInput.u8(0)),
                Arguments.of("3x3 16 -> 40, 48-byte rows", ConvGeometry.square(7, 9, 16, 40, 1, 3, 1, 1), QuantizedInput.u8(77)),
                Arguments.of("5x5 16 -> 16, rows over 64 bytes go tap by tap", ConvGeometry.square(8, 8, 16, 16, 1, 5, 2, 2), QuantizedInput.u8(5)),
                Arguments.of("5x3 dilation 2, 5 channels, 40 outputs",
                        new ConvGeometry(13, 10, 5, 40, 1, 5, 3, 1, 2, 4, 2, 4, 2, 2, 2), QuantizedInput.u8(200)),
                Arguments.of("3x3 s2 i8 input, 1 channel", ConvGeometry.square(11, 9, 1, 24, 1, 3, 2, 1), QuantizedInput.i8(-3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void gatheredLayerEqualsTheDirectKernel(String name, ConvGeometry g, QuantizedInput input) {
        assertTrue(PatchLayout.worthGathering(g), name);
        Random rnd = new Random(name.hashCode());
        byte[] w = Int8ConvolutionTest.randomBytes(rnd, g.outChannels() * g.inChannels() * g.kernelH() * g.kernelW());
        Int8ConvLayer direct = Int8ConvLayer.pack(g, input, w);
        ConvGeometry pg = PatchLayout.patchGeometry(g);
        Int8ConvLayer patched = Int8ConvLayer.pack(pg, input, PatchLayout.patchWeights(g, w));
        float[] mult = new float[g.outChannels()], bias = new float[g.outChannels()];
        for (int oc = 0; oc < mult.length; oc++) {
            mult[oc] = (float) (rnd.nextDouble() * 2e-4);
            bias[oc] = (float) (rnd.nextGaussian() * 0.5);
        }
        Requantization q = Requantization.toQuantized(mult, bias, true, new float[] {0f}, new float[] {3f}, 256, false);
        Requantization f = Requantization.toFloat(mult, bias, false);
        int offset = g.inputLength(); // the second image of a batch of two
        byte[] in = Int8ConvolutionTest.randomBytes(rnd, 2 * g.inputLength());
        byte[] wantQ = new byte[g.outputLength()];
        float[] wantF = new float[g.outputLength()];
        Int8Convolution.runQuantized(direct, q, in, offset, wantQ, 0, new int[direct.scratchInts()]);
        Int8Convolution.runFloat(direct, f, in, offset, wantF, 0, new int[direct.scratchInts()]);
        byte zero = (byte) input.zeroPoint();
        try (Parallel p = Parallel.create(3, 0)) {
            for (Parallel parallel : new Parallel[] {null, p}) {
                byte[] patches = new byte[pg.inputLength()];
                PatchGather.gather(g, zero, in, offset, patches, parallel);
                int[] scratch = new int[patched.scratchInts(3)];
                byte[] gotQ = new byte[g.outputLength()];
                float[] gotF = new float[g.outputLength()];
                Int8Convolution.runQuantized(patched, q, patches, 0, gotQ, 0, scratch, parallel);
                Int8Convolution.runFloat(patched, f, patches, 0, gotF, 0, scratch, parallel);
                assertArrayEquals(wantQ, gotQ, name + " quantized, on " + parallel);
                assertArrayEquals(wantF, gotF, name + " fp32, on " + parallel);
            }
        }
    }

    @Test
    void onlyNarrowSingleGroupLayersWithATapWindowAreGathered() {
        assertFalse(PatchLayout.worthGathering(ConvGeometry.square(8, 8, 3, 16, 1, 1, 1, 0)), "1x1 has nothing to gather");
        assertTrue(PatchLayout.worthGathering(ConvGeometry.square(8, 8, 16, 16, 1, 3, 1, 1)), "16 channels are gathered");
        assertFalse(PatchLayout.worthGathering(ConvGeometry.square(8, 8, 17, 16, 1, 3, 1, 1)), "17 channels keep the direct kernel");
        assertFalse(PatchLayout.worthGathering(ConvGeometry.square(8, 8, 8, 8, 8, 3, 1, 1)), "depthwise has its own kernel");
    }
}
