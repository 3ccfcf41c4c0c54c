package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.ir.IrReader;
import dev.lowbit.runtime.ExecutionConfig;
import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.InferencePool;
import dev.lowbit.runtime.Parallel;
import dev.lowbit.runtime.PerformanceHint;
import dev.lowbit.runtime.vision.ImageTensors;
import dev.lowbit.testing.SharedData;
import java.awt.image.BufferedImage;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The performance hints on generated int8 classes of shared FP16-INT8 models (int8 convolutions, convolutions on
 * f32 FMA, depthwise, fully connected, Concat-fed segmented convolutions, patch-gathered first layers) and on a
 * float model (tiled f32 convolutions split by rows): LATENCY, with every layer that can split split however small,
 * on 2 and 3 threads, gives outputs bit-identical to the single-thread instance; a THROUGHPUT pool called by 6 threads
 * at once, and several LATENCY instances sharing one pool concurrently, give the single-thread outputs to each
 * caller (a scratch buffer shared by mistake would mix requests).
 */
class ThreadedGeneratedModelTest {
    @TempDir
    Path work;

    @ParameterizedTest
    @ValueSource(strings = {"face-detection-retail-0004/FP16-INT8", "vehicle-attributes-recognition-barrier-0039/FP16-INT8",
        "vehicle-attributes-recognition-barrier-0039/FP32"})
    void latencyIsBitIdenticalAndConcurrentCallersGetTheirOwnResults(String variant) throws Exception {
        SharedData.require();
        String model = variant.substring(0, variant.indexOf('/'));
        String rel = variant + "/" + model + ".xml";
        Path classes = InProcessCompiler.compile(work, SharedData.models(), Map.of("probe/ThreadsProbe.java",
                "package probe;\n@dev.lowbit.CompiledModel(\"" + rel + "\")\npublic interface ThreadsProbe {}\n"));
        Class<?> type = InProcessCompiler.load(classes).loadClass("probe.ThreadsProbeModel");
        Constructor<?> withConfig = type.getConstructor(ExecutionConfig.class);
        InferenceModel single = (InferenceModel) type.getConstructor().newInstance();

        Graph g = new IrReader().read(SharedData.models().resolve(rel));
        Node param = g.parameters().get(0);
        int[] shape = param.output(0).shape();
        String name = Signature.inputName(param);
        List<Map<String, float[]>> inputs = new ArrayList<>();
        for (String image : new String[] {"astronaut.png", "coffee.png", "chelsea.png"}) {
            Path p = SharedData.image(image);
            if (Files.exists(p)) {
                BufferedImage photo = ImageTensors.read(p);
                inputs.add(Map.of(name, ImageTensors.stretchBgr(photo, shape[3], shape[2])));
            }
        }
        assertTrue(!inputs.isEmpty(), "no test photo in " + SharedData.image(""));
        List<Map<String, float[]>> expected = new ArrayList<>();
        for (Map<String, float[]> in : inputs) {
            expected.add(single.infer(in));
        }

        for (int threads : new int[] {2, 3}) {
            try (Parallel pool = Parallel.create(threads, 0)) {
                InferenceModel latency = (InferenceModel) withConfig.newInstance(ExecutionConfig.latency(pool));
                for (int i = 0; i < inputs.size(); i++) {
                    assertSameOutputs(expected.get(i), latency.infer(inputs.get(i)), variant + " LATENCY " + threads + " threads");
                }
                // three instances sharing the pool, each called by its own thread at once: a call finding the
                // pool busy runs on its caller's thread
                List<InferenceModel> sharing = List.of(latency, (InferenceModel) withConfig.newInstance(ExecutionConfig.latency(pool)),
                        (InferenceModel) withConfig.newInstance(ExecutionConfig.latency(pool)));
                callConcurrently(sharing, 3, inputs, expected, variant + " shared LATENCY pool");
            }
        }
        try (InferencePool<InferenceModel> pool = InferencePool.create(c -> newInstance(withConfig, c),
                PerformanceHint.THROUGHPUT, 3)) {
            callConcurrently(List.of(pool), 6, inputs, expected, variant + " THROUGHPUT pool");
        }
    }

    private static InferenceModel newInstance(Constructor<?> ctor, ExecutionConfig c) {
        try {
            return (InferenceModel) ctor.newInstance(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code threads} threads at once, thread t calling {@code models[t % size]} 8 times with varying inputs (a
     * generated instance is not thread-safe: give each thread its own, or a pool).
     */
    private static void callConcurrently(List<InferenceModel> models, int threads, List<Map<String, float[]>> inputs,
                                         List<Map<String, float[]>> expected, String what) throws Exception {
        try (ExecutorService callers = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                InferenceModel m = models.get(t % models.size());
                int seed = t;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < 8; i++) {
                        int k = (seed + i) % inputs.size();
                        assertSameOutputs(expected.get(k), m.infer(inputs.get(k)), what + ", caller " + seed);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static void assertSameOutputs(Map<String, float[]> expected, Map<String, float[]> got, String what) {
        assertEquals(expected.keySet(), got.keySet(), what);
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k), got.get(k), what + ": output " + k + " differs");
        }
    }
}
