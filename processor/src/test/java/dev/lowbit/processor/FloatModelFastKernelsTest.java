package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrReader;
import dev.lowbit.reference.ReferenceEvaluator;
import dev.lowbit.runtime.InferenceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A float model (no FakeQuantize: the tiny_float_cnn fixture) is generated with the fast f32 kernels
 * (TiledConvolution for every convolution path, MatMul.matmulF32) and agrees with the oracle within an f32
 * summation bound; a model with FakeQuantize keeps the exact kernels (TinyModelEndToEndTest demands identical
 * outputs from tiny_cnn).
 *
 * <p>Bound: max |generated - oracle| <= 1e-5 of max |oracle| per output. Each layer's f32 sums err by at most
 * about K * 2^-24 of sum |w * x| (K <= 100 products here, so ~6e-6 of the layer's magnitude in the worst case and
 * ~1e-7 typically, the errors being random in sign); four such layers in a row stay well below 1e-5, while a
 * wrong tap or weight moves an output by a whole product (~1e-1 of the scale).
 */
class FloatModelFastKernelsTest {
    static final double BOUND = 1e-5;

    @TempDir
    Path work;

    @Test
    void usesTheF32KernelsAndMatchesTheOracle() throws Exception {
        Path classes = InProcessCompiler.compile(work, TinyModelEndToEndTest.FIXTURES, Map.of("demo/FloatCnn.java", """
                package demo;

                @dev.lowbit.CompiledModel("tiny_float_cnn.xml")
                public interface FloatCnn {}
                """));
        String json = Files.readString(classes.resolve("META-INF/lowbit/demo.FloatCnn.json"));
        assertEquals(4, count(json, "TiledConvolution.run"), json);
        assertEquals(2, count(json, "MatMul.matmulF32"), json);
        assertFalse(json.contains("Convolution.conv2d"), json);
        InferenceModel m = (InferenceModel) InProcessCompiler.load(classes).loadClass("demo.FloatCnnModel")
                .getConstructor().newInstance();
        matchesTheOracle(m, "tiny_float_cnn.xml", 13);
    }

    /**
     * Ten random inputs (shape [1, 3, 9, 11], named "data") through {@code m} and through the oracle on the fixture
     * {@code xml}: every output within {@link #BOUND} of its scale.
     */
    static void matchesTheOracle(InferenceModel m, String xml, long seed) throws Exception {
        Graph g = new IrReader().read(TinyModelEndToEndTest.FIXTURES.resolve(xml));
        Random r = new Random(seed);
        for (int run = 0; run < 10; run++) {
            float[] x = new float[3 * 9 * 11];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * 2);
            }
            Map<String, float[]> got = m.infer(Map.of("data", x));
            Map<String, Tensor> want = new ReferenceEvaluator(g).run(Map.of("data", Tensor.f32(new int[] {1, 3, 9, 11}, x)));
            assertEquals(want.keySet(), got.keySet());
            for (String name : want.keySet()) {
                float[] ref = want.get(name).toFloatArray();
                float[] out = got.get(name);
                assertEquals(ref.length, out.length, name);
                double maxRef = 0;
                double maxDiff = 0;
                for (int i = 0; i < ref.length; i++) {
                    maxRef = Math.max(maxRef, Math.abs(ref[i]));
                    maxDiff = Math.max(maxDiff, Math.abs((double) ref[i] - out[i]));
                }
                assertTrue(maxDiff <= BOUND * maxRef, name + ": max difference " + maxDiff + " for scale " + maxRef);
            }
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }
}
