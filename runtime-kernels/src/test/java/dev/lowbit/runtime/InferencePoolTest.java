package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pool hands each instance to one caller at a time; a fake model that detects sharing checks that. */
class InferencePoolTest {
    /** Not thread-safe on purpose: a scratch buffer and an in-use flag that catches a second concurrent caller. */
    static final class FakeModel implements InferenceModel {
        static final TensorSpec IN = new TensorSpec("x", new int[] {4}, "f32");
        static final TensorSpec OUT = new TensorSpec("y", new int[] {4}, "f32");
        final float[] scratch = new float[4];
        final ExecutionConfig config;
        boolean inUse;

        FakeModel(ExecutionConfig config) {
            this.config = config;
        }

        @Override
        public List<TensorSpec> inputs() {
            return List.of(IN);
        }

        @Override
        public List<TensorSpec> outputs() {
            return List.of(OUT);
        }

        @Override
        public Map<String, float[]> infer(Map<String, float[]> inputs) {
            if (inUse) {
                throw new AssertionError("instance used by two threads at once");
            }
            inUse = true;
            try {
                float[] x = inputs.get("x");
                for (int i = 0; i < 4; i++) {
                    scratch[i] = x[i] * 2;
                    Thread.onSpinWait();
                }
                Thread.yield();
                return Map.of("y", scratch.clone());
            } finally {
                inUse = false;
            }
        }

        @Override
        public void infer(Map<String, float[]> inputs, Map<String, float[]> outputs) {
            System.arraycopy(infer(inputs).get("y"), 0, outputs.get("y"), 0, 4);
        }
    }

    @Test
    void concurrentCallersGetTheSequentialResults() throws Exception {
        AtomicInteger made = new AtomicInteger();
        try (InferencePool<FakeModel> pool = InferencePool.create(c -> {
            made.incrementAndGet();
            return new FakeModel(c);
        }, PerformanceHint.THROUGHPUT, 3); ExecutorService callers = Executors.newFixedThreadPool(8)) {
            assertEquals(3, made.get());
            assertEquals(3, pool.concurrency());
            assertEquals(PerformanceHint.THROUGHPUT, pool.hint());
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                done.add(callers.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        float v = seed * 1000 + i;
                        float[] y = pool.infer(Map.of("x", new float[] {v, v + 1, v + 2, v + 3})).get("y");
                        assertArrayEquals(new float[] {2 * v, 2 * v + 2, 2 * v + 4, 2 * v + 6}, y);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    @Test
    void writesIntoTheCallersArraysThroughABorrowedInstance() {
        try (InferencePool<FakeModel> pool = InferencePool.throughput(() -> new FakeModel(ExecutionConfig.singleThread()), 2)) {
            float[] y = new float[4];
            pool.infer(Map.of("x", new float[] {1, 2, 3, 4}), Map.of("y", y));
            org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {2, 4, 6, 8}, y);
        }
    }

    @Test
    void latencyPoolHasOneInstanceSplitOverTheThreads() {
        try (InferencePool<FakeModel> pool = InferencePool.create(FakeModel::new, PerformanceHint.LATENCY, 2)) {
            assertEquals(1, pool.concurrency());
            assertEquals(2, (int) pool.run(m -> m.config.threads()));
            assertEquals(PerformanceHint.LATENCY, pool.run(m -> m.config.hint()));
            assertSame(FakeModel.IN, pool.inputs().get(0));
        }
    }

    @Test
    void throughputInstancesAreSingleThreaded() {
        try (InferencePool<FakeModel> pool = InferencePool.throughput(() -> new FakeModel(ExecutionConfig.singleThread()), 2)) {
            assertEquals(1, (int) pool.run(m -> m.config.threads()));
            assertTrue(pool.toString().contains("THROUGHPUT"));
        }
        assertThrows(IllegalArgumentException.class, () -> InferencePool.create(FakeModel::new, PerformanceHint.THROUGHPUT, 0));
    }
}
