package dev.lowbit.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A thread-safe front of a few instances of one generated model class: each call borrows an idle instance
 * (waiting if all are busy), runs on the calling thread, and returns it. With {@link PerformanceHint#THROUGHPUT}
 * there is one single-threaded instance per thread, so that many requests run at once, each with its own scratch
 * buffers (the weights are static and shared by all instances of a class, read once). With
 * {@link PerformanceHint#LATENCY} there is one instance whose large layers are split over the threads, and
 * concurrent callers take turns.
 *
 * <p>Thread-safe: {@link #infer} and {@link #run} may be called from any number of threads. Results equal those of
 * a single instance called sequentially (every instance computes bit-identical results). {@link #close()} stops a
 * LATENCY pool's worker threads.
 *
 * @param <M> the generated model class
 */
public final class InferencePool<M extends InferenceModel> implements InferenceModel, AutoCloseable {
    private final BlockingQueue<M> idle;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final PerformanceHint hint;
    private final ExecutionConfig config;

    private InferencePool(List<M> instances, PerformanceHint hint, ExecutionConfig config) {
        this.idle = new ArrayBlockingQueue<>(instances.size(), false, instances);
        this.inputs = List.copyOf(instances.get(0).inputs());
        this.outputs = List.copyOf(instances.get(0).outputs());
        this.hint = hint;
        this.config = config;
    }

    /**
     * A pool for {@code hint} on {@code threads} threads; {@code factory} is the generated class's config
     * constructor, e.g. {@code InferencePool.create(FooModel::new, PerformanceHint.THROUGHPUT, 4)}.
     */
    public static <M extends InferenceModel> InferencePool<M> create(Function<ExecutionConfig, M> factory,
            PerformanceHint hint, int threads) {
        Objects.requireNonNull(factory, "factory");
        checkThreads(threads);
        return switch (Objects.requireNonNull(hint, "hint")) {
            case THROUGHPUT -> throughput(() -> factory.apply(ExecutionConfig.singleThread()), threads);
            case LATENCY -> {
                ExecutionConfig c = ExecutionConfig.latency(threads);
                yield new InferencePool<>(List.of(factory.apply(c)), PerformanceHint.LATENCY, c);
            }
        };
    }

    /** THROUGHPUT: {@code instances} single-threaded instances from {@code factory} (e.g. {@code FooModel::new}). */
    public static <M extends InferenceModel> InferencePool<M> throughput(Supplier<M> factory, int instances) {
        Objects.requireNonNull(factory, "factory");
        checkThreads(instances);
        List<M> list = new ArrayList<>(instances);
        for (int i = 0; i < instances; i++) {
            list.add(Objects.requireNonNull(factory.get(), "factory returned null"));
        }
        return new InferencePool<>(list, PerformanceHint.THROUGHPUT, ExecutionConfig.singleThread());
    }

    private static void checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    public PerformanceHint hint() {
        return hint;
    }

    /** Inference requests that can run at once: the instance count. */
    public int concurrency() {
        return idle.remainingCapacity() + idle.size();
    }

    @Override
    public List<TensorSpec> inputs() {
        return inputs;
    }

    @Override
    public List<TensorSpec> outputs() {
        return outputs;
    }

    /** {@link InferenceModel#infer} on a borrowed instance. */
    @Override
    public Map<String, float[]> infer(Map<String, float[]> inputs) {
        return run(m -> m.infer(inputs));
    }

    /** {@link InferenceModel#infer(Map, Map)} on a borrowed instance (the lambda may allocate; the model does not). */
    @Override
    public void infer(Map<String, float[]> inputs, Map<String, float[]> outputs) {
        run(m -> {
            m.infer(inputs, outputs);
            return null;
        });
    }

    /**
     * Calls {@code call} with an idle instance, for the generated typed methods: {@code pool.run(m -> m.detect(image))}.
     * The instance must not escape the call. Waits while every instance is busy.
     *
     * @throws IllegalStateException if interrupted while waiting (the interrupt flag is kept)
     */
    public <R> R run(Function<? super M, R> call) {
        M m;
        try {
            m = idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an idle model instance", e);
        }
        try {
            return call.apply(m);
        } finally {
            idle.add(m);
        }
    }

    @Override
    public void close() {
        config.close();
    }

    @Override
    public String toString() {
        return "InferencePool[" + hint + ", " + concurrency() + " instance(s), " + config + "]";
    }
}
