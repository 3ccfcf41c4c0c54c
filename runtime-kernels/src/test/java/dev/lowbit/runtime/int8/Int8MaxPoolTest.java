package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class Int8MaxPoolTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("2x2 stride2 u8 64ch", new PoolGeometry(8, 8, 64, 2, 2, 2, 2, 0, 0, 1, 1, 4, 4), false),
                Arguments.of("3x3 stride2 pad1 u8 100ch", new PoolGeometry(9, 7, 100, 3, 3, 2, 2, 1, 1, 1, 1, 5, 4), false),
                Arguments.of("3x3 stride1 pad1 i8 3ch", new PoolGeometry(5, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 5, 6), true),
                Arguments.of("ceil mode: last window clipped", new PoolGeometry(7, 7, 17, 2, 2, 2, 2, 0, 0, 1, 1, 4, 4), false),
                Arguments.of("dilation 2 i8", new PoolGeometry(9, 9, 70, 3, 3, 1, 1, 2, 2, 2, 2, 9, 9), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesScalarMaxOverValidTaps(String name, PoolGeometry g, boolean signed) {
        Random rnd = new Random(name.hashCode());
        byte[] in = Int8ConvolutionTest.randomBytes(rnd, g.inputLength());
        byte[] expected = new byte[g.outputLength()];
        for (int oy = 0; oy < g.outH(); oy++) {
            for (int ox = 0; ox < g.outW(); ox++) {
                for (int c = 0; c < g.channels(); c++) {
                    int best = Integer.MIN_VALUE;
                    for (int ky = 0; ky < g.kernelH(); ky++) {
                        for (int kx = 0; kx < g.kernelW(); kx++) {
                            int y = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                            int x = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                            if (y >= 0 && y < g.inH() && x >= 0 && x < g.inW()) {
                                byte b = in[(y * g.inW() + x) * g.channels() + c];
                                best = Math.max(best, signed ? b : b & 0xFF);
                            }
                        }
                    }
                    expected[(oy * g.outW() + ox) * g.channels() + c] = (byte) best;
                }
            }
        }
        byte[] out = new byte[g.outputLength()];
        Int8MaxPool.run(g, signed, in, 0, out, 0);
        assertArrayEquals(expected, out);
    }

    @Test
    void unsignedMaxTreats255AsLargest() {
        PoolGeometry g = new PoolGeometry(1, 2, 1, 1, 2, 1, 1, 0, 0, 1, 1, 1, 1);
        byte[] out = new byte[1];
        Int8MaxPool.run(g, false, new byte[] {(byte) 255, 127}, 0, out, 0);
        assertArrayEquals(new byte[] {(byte) 255}, out);
        Int8MaxPool.run(g, true, new byte[] {(byte) 255, 127}, 0, out, 0);
        assertArrayEquals(new byte[] {127}, out, "signed: -1 < 127");
    }

    @Test
    void rejectsWindowEntirelyInPadding() {
        assertThrows(IllegalArgumentException.class, () -> new PoolGeometry(4, 4, 1, 2, 2, 2, 2, 0, 0, 1, 1, 4, 4));
    }
}
