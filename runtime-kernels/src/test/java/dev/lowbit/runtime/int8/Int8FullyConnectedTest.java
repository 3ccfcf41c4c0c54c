package dev.lowbit.runtime.int8;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Int8FullyConnectedTest {

    /** Written from the definition, independent of the convolution reference. */
    private static int[] reference(int batch, int inputs, int outputs, QuantizedInput q, byte[] x, byte[] w) {
        int[] y = new int[batch * outputs];
        for (int b = 0; b < batch; b++) {
            for (int n = 0; n < outputs; n++) {
                int acc = 0;
                for (int k = 0; k < inputs; k++) {
                    acc += ScalarReference.centered(x[b * inputs + k], q) * w[n * inputs + k];
                }
                y[b * outputs + n] = acc;
            }
        }
        return y;
    }

    @ParameterizedTest(name = "batch {0}, {1} -> {2}, signed input {3}, zero point {4}")
    @CsvSource({
            "1, 1024, 1024, false, 0",
            "1, 1000, 37, false, 129",
            "1, 3, 5, true, -7",
            "3, 257, 48, false, 255",
            "4, 64, 32, true, 0",
            "7, 33, 17, false, 1",
    })
    void matchesExactIntegerReference(int batch, int inputs, int outputs, boolean signed, int zeroPoint) {
        QuantizedInput q = new QuantizedInput(signed, zeroPoint);
        Random rnd = new Random(batch * 31L + inputs * 7L + outputs);
        byte[] x = Int8ConvolutionTest.randomBytes(rnd, batch * inputs);
        byte[] w = Int8ConvolutionTest.randomBytes(rnd, outputs * inputs);
        int[] expected = reference(batch, inputs, outputs, q, x, w);
        Int8ConvLayer layer = Int8FullyConnected.pack(batch, inputs, outputs, q, w);
        float[] yf = new float[batch * outputs];
        // multiplier 1, bias 0: the output is (float) D; compared with (float) of the exact reference, which is exact
        // below 2^24 (random data of these sizes stays far below) and identically rounded above
        Int8FullyConnected.runFloat(layer, Requantization.toFloat(Int8ConvolutionTest.filled(outputs, 1f), new float[outputs], false),
                x, 0, yf, 0, new int[layer.scratchInts()]);
        for (int i = 0; i < expected.length; i++) {
            assertEquals((float) expected[i], yf[i], 0f, "element " + i);
        }
        float[] m = Int8ConvolutionTest.filled(outputs, 1f / (inputs * 64f));
        Requantization r = Requantization.toQuantized(m, new float[outputs], false, new float[] {-8f}, new float[] {8f}, 256, true);
        byte[] yq = new byte[batch * outputs];
        Int8FullyConnected.runQuantized(layer, r, x, 0, yq, 0, new int[layer.scratchInts()]);
        for (int i = 0; i < expected.length; i++) {
            assertEquals((byte) r.quantizeScalar(expected[i], i % outputs), yq[i], "element " + i);
        }
    }
}
