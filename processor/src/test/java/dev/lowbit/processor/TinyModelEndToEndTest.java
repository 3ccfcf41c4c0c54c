package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrReader;
import dev.lowbit.reference.ReferenceEvaluator;
import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.TensorSpec;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the hand-made tiny_cnn fixture (Convolution, bias Add, PReLU, FakeQuantize, depthwise
 * GroupConvolution, MaxPool, Reshape, MatMul, SoftMax, Sigmoid; two outputs) through javac with the
 * processor and checks the generated class against the reference evaluator, its API checks and its
 * thread-safety contract.
 */
class TinyModelEndToEndTest {
    static final Path FIXTURES = Path.of("src/test/resources/codegen").toAbsolutePath();
    static final String SOURCE = """
            package demo;

            import dev.lowbit.CompiledModel;

            @CompiledModel("tiny_cnn.xml")
            public interface Tiny {
                record Outputs(float[] probs, float[] _95) {}

                Outputs run(float[] data);
            }
            """;
    static final String ONE_OUTPUT_SOURCE = """
            package demo;

            import dev.lowbit.CompiledModel;

            @CompiledModel("tiny_cnn.xml")
            public interface TinyProbs {
                record Probs(float[] probs) {}

                Probs probs(float[] image);
            }
            """;

    @TempDir
    static Path work;
    static ClassLoader loader;

    @BeforeAll
    static void compile() {
        Path classes = InProcessCompiler.compile(work, FIXTURES,
                Map.of("demo/Tiny.java", SOURCE, "demo/TinyProbs.java", ONE_OUTPUT_SOURCE));
        loader = InProcessCompiler.load(classes);
    }

    static InferenceModel newModel() throws Exception {
        return (InferenceModel) loader.loadClass("demo.TinyModel").getConstructor().newInstance();
    }

    static float[] randomInput(long seed) {
        Random r = new Random(seed);
        float[] x = new float[2 * 6 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 2);
        }
        return x;
    }

    static Map<String, Tensor> oracle(float[] x) {
        Graph g = new IrReader().read(FIXTURES.resolve("tiny_cnn.xml"));
        return new ReferenceEvaluator(g).run(Map.of("data", Tensor.f32(new int[] {1, 2, 6, 6}, x)));
    }

    @Test
    void matchesTheReferenceEvaluatorOnEveryOutput() throws Exception {
        InferenceModel m = newModel();
        for (long seed = 1; seed <= 20; seed++) {
            float[] x = randomInput(seed);
            Map<String, float[]> got = m.infer(Map.of("data", x));
            Map<String, Tensor> want = oracle(x);
            assertEquals(want.keySet(), got.keySet());
            for (String name : want.keySet()) {
                // tiny_cnn takes the int8 path: its int8 layers are exact integer arithmetic, its fp32 layers (conv1,
                // ahead of the FakeQuantize, among them) sum in f32 with FMA, each sum within about K * 2^-24 of
                // sum |w * x| of the oracle's double sum (K <= 36 here). Bound: 1e-6 of the output's largest value,
                // a few ulps; a level flipped by the FakeQuantize (a step of 1/255 of its range) or a wrong layer
                // would be orders of magnitude larger.
                float[] ref = want.get(name).toFloatArray();
                float[] out = got.get(name);
                double scale = 0;
                for (float v : ref) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertArrayEquals(ref, out, (float) (1e-6 * scale), name + " seed " + seed);
            }
        }
    }

    @Test
    void describesItsInputsAndOutputs() throws Exception {
        InferenceModel m = newModel();
        assertEquals(List.of(new TensorSpec("data", new int[] {1, 2, 6, 6}, "f32")), m.inputs());
        assertEquals(List.of(new TensorSpec("95", new int[] {1, 4, 2, 2}, "f32"),
                new TensorSpec("probs", new int[] {1, 3}, "f32")), m.outputs());
    }

    @Test
    void typedMethodsReturnTheSameValuesAsInferByName() throws Exception {
        Object m = newModel();
        float[] x = randomInput(7);
        Map<String, float[]> byName = ((InferenceModel) m).infer(Map.of("data", x));
        Method run = m.getClass().getMethod("run", float[].class);
        Object outputs = run.invoke(m, (Object) x);
        float[] probs = (float[]) outputs.getClass().getMethod("probs").invoke(outputs);
        float[] sig = (float[]) outputs.getClass().getMethod("_95").invoke(outputs);
        assertArrayEquals(byName.get("probs"), probs);
        assertArrayEquals(byName.get("95"), sig);
        Object other = loader.loadClass("demo.TinyProbsModel").getConstructor().newInstance();
        Object probsOnly = other.getClass().getMethod("probs", float[].class).invoke(other, (Object) x);
        assertArrayEquals(byName.get("probs"), (float[]) probsOnly.getClass().getMethod("probs").invoke(probsOnly));
    }

    @Test
    void rejectsWrongInputsNamingTheTensorAndSizes() throws Exception {
        InferenceModel m = newModel();
        var wrongLength = assertThrows(IllegalArgumentException.class, () -> m.infer(Map.of("data", new float[5])));
        assertTrue(wrongLength.getMessage().contains("'data'") && wrongLength.getMessage().contains("5")
                && wrongLength.getMessage().contains("72"), wrongLength.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> m.infer(Map.of("data", new float[72], "image", new float[72])));
        assertTrue(unknown.getMessage().contains("'image'"), unknown.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> m.infer(Map.of()));
        assertTrue(missing.getMessage().contains("'data'") && missing.getMessage().contains("72"), missing.getMessage());
    }

    @Test
    void writesTheWeightsResourceAndTheBuildReport() throws Exception {
        Path classes = work.resolve("classes");
        assertTrue(Files.size(classes.resolve("demo/TinyModel.weights")) > 4 * (72 + 36 + 48));
        String json = Files.readString(classes.resolve("META-INF/lowbit/demo.Tiny.json"));
        assertTrue(json.contains("\"name\": \"conv1\", \"type\": \"Convolution\", \"precision\": \"f32\""), json);
        assertTrue(json.contains("\"macs\": " + (4 * 36 * 2 * 9)), json); // 4x6x6 outputs, 2x3x3 taps each
        assertTrue(json.contains("\"weightBytes\": " + (72 * 4)), json);
    }

    @Test
    void allocatesOnlyTheReturnedOutputsOnceWarm() throws Exception {
        // The memory plan promise: scratch is allocated in the constructor, so a warm infer() allocates its
        // outputs (16 + 3 floats), the float[][] and map holding them, and nothing that grows with the layers.
        InferenceModel m = newModel();
        Object typed = m;
        Method run = typed.getClass().getMethod("run", float[].class);
        float[] x = randomInput(3);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        // Warm up in rounds until C2 has compiled the kernels (vectors are only scalarized when compiled); on a
        // loaded machine that can take several rounds, so steady state is whatever the best round shows.
        for (int round = 0; round < 15 && least >= 248; round++) {
            for (int i = 0; i < 20_000; i++) {
                run.invoke(typed, (Object) x);
            }
            for (int rep = 0; rep < 20; rep++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                run.invoke(typed, (Object) x);
                least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
            }
        }
        // Measured 184 bytes with compressed oops: the two outputs (16 floats = 80 bytes, 3 floats = 32), the
        // float[][] (24), the record (24) and reflection's varargs array (24). The bound leaves 64 bytes of room for
        // other object layouts; a per-call copy of any of the conv/pool/FakeQuantize buffers (144 floats, 592 bytes)
        // or of the accumulator would exceed it.
        assertTrue(least < 248, "a warm call allocated " + least + " bytes");
    }

    @Test
    void writesIntoCallerArraysWithTheSameValuesAndNoAllocationOnceWarm() throws Exception {
        InferenceModel m = newModel();
        float[] x = randomInput(11);
        Map<String, float[]> expected = m.infer(Map.of("data", x));
        Map<String, float[]> inputs = new java.util.HashMap<>(Map.of("data", x));
        Map<String, float[]> outputs = new java.util.HashMap<>(Map.of("95", new float[16], "probs", new float[3]));
        float[] probs = outputs.get("probs");
        m.infer(inputs, outputs);
        assertArrayEquals(expected.get("probs"), outputs.get("probs"), 0f);
        assertArrayEquals(expected.get("95"), outputs.get("95"), 0f);
        assertTrue(probs == outputs.get("probs"), "the caller's array itself is written, not replaced");

        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        // warm-up in rounds until C2 has compiled everything (see allocatesOnlyTheReturnedOutputsOnceWarm)
        for (int round = 0; round < 15 && least > 0; round++) {
            for (int i = 0; i < 20_000; i++) {
                m.infer(inputs, outputs);
            }
            for (int rep = 0; rep < 20; rep++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                m.infer(inputs, outputs);
                least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
            }
        }
        // Zero, not "small": the variant's promise. A single boxed vector or iterator would show as >= 16 bytes.
        assertEquals(0, least, "a warm infer(inputs, outputs) allocated " + least + " bytes");
    }

    @Test
    void rejectsWrongOutputArraysNamingTheTensorAndSizes() throws Exception {
        InferenceModel m = newModel();
        Map<String, float[]> in = Map.of("data", new float[72]);
        var shortArray = assertThrows(IllegalArgumentException.class,
                () -> m.infer(in, Map.of("95", new float[16], "probs", new float[2])));
        assertTrue(shortArray.getMessage().contains("output 'probs'") && shortArray.getMessage().contains("2")
                && shortArray.getMessage().contains("3"), shortArray.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> m.infer(in, Map.of("95", new float[16], "probs", new float[3], "logits", new float[3])));
        assertTrue(unknown.getMessage().contains("unknown output 'logits'"), unknown.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> m.infer(in, Map.of("probs", new float[3])));
        assertTrue(missing.getMessage().contains("missing output '95'") && missing.getMessage().contains("16"),
                missing.getMessage());
    }

    @Test
    void separateInstancesRunConcurrentlyWithIdenticalResults() throws Exception {
        // The documented contract: an instance is not thread-safe, instances are cheap and share the weights.
        List<float[]> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        InferenceModel single = newModel();
        for (int i = 0; i < 16; i++) {
            inputs.add(randomInput(100 + i));
            expected.add(single.infer(Map.of("data", inputs.get(i))).get("probs"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Callable<Boolean> job = () -> {
                    InferenceModel own = newModel();
                    for (int rep = 0; rep < 50; rep++) {
                        for (int i = 0; i < inputs.size(); i++) {
                            if (!java.util.Arrays.equals(expected.get(i), own.infer(Map.of("data", inputs.get(i))).get("probs"))) {
                                return false;
                            }
                        }
                    }
                    return true;
                };
                results.add(pool.submit(job));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}
