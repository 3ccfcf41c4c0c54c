package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lowbit.runtime.InferenceModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several parameters bind to model inputs by name, whatever their order; a record collects several outputs. */
class TwoInputsTypedMethodTest {
    @TempDir
    Path work;

    @Test
    void parametersBindByNameAndRecordComponentsByOutputName() throws Exception {
        Path classes = InProcessCompiler.compile(work, TinyModelEndToEndTest.FIXTURES, Map.of("demo/Pair.java", """
                package demo;

                @dev.lowbit.CompiledModel("two_inputs.xml")
                public interface Pair {
                    record Out(float[] positive, float[] difference) {}

                    Out compute(float[] right, float[] left);
                }
                """));
        Object m = InProcessCompiler.load(classes).loadClass("demo.PairModel").getConstructor().newInstance();
        float[] left = {1, 5, -3};
        float[] right = {1, 1, 1};
        Object out = m.getClass().getMethod("compute", float[].class, float[].class).invoke(m, right, left);
        // difference = left - 2 * right (hand-computed); positive = relu(difference)
        assertArrayEquals(new float[] {-1, 3, -5}, (float[]) out.getClass().getMethod("difference").invoke(out));
        assertArrayEquals(new float[] {0, 3, 0}, (float[]) out.getClass().getMethod("positive").invoke(out));
        Map<String, float[]> byName = ((InferenceModel) m).infer(Map.of("left", left, "right", right));
        assertArrayEquals(new float[] {-1, 3, -5}, byName.get("difference"));
    }
}
