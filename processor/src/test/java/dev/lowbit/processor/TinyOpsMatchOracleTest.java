package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrReader;
import dev.lowbit.reference.ReferenceEvaluator;
import dev.lowbit.runtime.InferenceModel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernels no shared model uses (AvgPool with and without exclude-pad, Clamp, Concat, Transpose, ReduceMean,
 * Divide, ConvolutionBackpropData), generated from the tiny_ops fixture and compared with the oracle.
 */
class TinyOpsMatchOracleTest {
    @TempDir
    Path work;

    @Test
    void everyOutputMatchesTheOracle() throws Exception {
        Path classes = InProcessCompiler.compile(work, TinyModelEndToEndTest.FIXTURES, Map.of("demo/Ops.java", """
                package demo;

                @dev.lowbit.CompiledModel("tiny_ops.xml")
                public interface Ops {}
                """));
        InferenceModel m = (InferenceModel) InProcessCompiler.load(classes).loadClass("demo.OpsModel")
                .getConstructor().newInstance();
        Graph g = new IrReader().read(TinyModelEndToEndTest.FIXTURES.resolve("tiny_ops.xml"));
        Random r = new Random(9);
        for (int run = 0; run < 10; run++) {
            float[] x = new float[50];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            Map<String, float[]> got = m.infer(Map.of("data", x));
            Map<String, Tensor> want = new ReferenceEvaluator(g).run(Map.of("data", Tensor.f32(new int[] {1, 2, 5, 5}, x)));
            assertEquals(want.keySet(), got.keySet());
            for (String name : want.keySet()) {
                // sums in double rounded once and single float operations on both sides: identical results
                assertArrayEquals(want.get(name).toFloatArray(), got.get(name), 0f, name);
            }
        }
    }
}
