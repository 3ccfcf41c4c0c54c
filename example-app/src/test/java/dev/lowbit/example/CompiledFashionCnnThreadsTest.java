package dev.lowbit.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lowbit.runtime.ExecutionConfig;
import dev.lowbit.runtime.InferencePool;
import dev.lowbit.runtime.Parallel;
import dev.lowbit.runtime.PerformanceHint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The performance hints on the project's own INT8 model (no ../shared needed): LATENCY with every int8 layer
 * split (the model's layers are below the default 2^23-MAC threshold, so the test lowers it to 0) is
 * bit-identical to the single-thread class, and a THROUGHPUT pool called from 4 threads at once returns each
 * caller the single-thread probabilities.
 */
class CompiledFashionCnnThreadsTest {
    private static final int IMAGES = 200;

    private static List<float[]> inputs() throws Exception {
        LabeledImages images = LabeledImages.read(Path.of(System.getProperty("lowbit.subset", "../models/fashion-mnist/test-1000.bin")));
        List<float[]> in = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            in.add(images.input(i));
        }
        return in;
    }

    @Test
    void latencyIsBitIdenticalAndThroughputPoolServesConcurrentCallers() throws Exception {
        List<float[]> in = inputs();
        FashionCnnInt8Model single = new FashionCnnInt8Model();
        List<float[]> expected = new ArrayList<>();
        for (float[] x : in) {
            expected.add(single.classify(x));
        }
        for (int threads : new int[] {2, 3}) {
            try (Parallel pool = Parallel.create(threads, 0)) {
                FashionCnnInt8Model latency = new FashionCnnInt8Model(ExecutionConfig.latency(pool));
                for (int i = 0; i < IMAGES; i++) {
                    assertArrayEquals(expected.get(i), latency.classify(in.get(i)), "image " + i + ", " + threads + " threads");
                }
            }
        }
        try (InferencePool<FashionCnnInt8Model> pool = InferencePool.create(FashionCnnInt8Model::new, PerformanceHint.THROUGHPUT, 2);
             ExecutorService callers = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int first = t;
                done.add(callers.submit(() -> {
                    for (int i = first; i < IMAGES; i += 2) {
                        float[] x = in.get(i);
                        assertArrayEquals(expected.get(i), pool.run(m -> m.classify(x)), "image " + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }
}
