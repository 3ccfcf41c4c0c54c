package dev.lowbit.runtime;

import java.util.Objects;

/**
 * How one generated model instance runs its layers: on the calling thread ({@link #singleThread()}, what the
 * no-argument constructor uses) or, for the {@link PerformanceHint#LATENCY LATENCY} hint, with its large
 * convolutions (int8 kernels, f32 tiled convolutions, int8 convolutions on f32 FMA) and int8 fully connected layers
 * split over a {@link Parallel} pool ({@link #latency(int)}); pass it to the generated class's constructor,
 * {@code new FooModel(ExecutionConfig.latency(2))}. Results are bit-identical either way.
 *
 * <p>Immutable and thread-safe. A latency config owns its pool's threads (daemon threads, started here, once);
 * several model instances may share one config (a call finding the pool busy runs on its own thread), and
 * {@link #close()} stops the threads. Pooling, element-wise layers, most quantize passes, small-plane and grouped
 * f32 convolutions, and memory-bound layers ({@link Parallel#worthSplitting(long, long)}) run on the calling thread
 * under every config. While an inference splits layers, the pool's threads spin between them (up to 2 ms after
 * the last one), which keeps a core busy.
 */
public final class ExecutionConfig implements AutoCloseable {
    private static final ExecutionConfig SINGLE = new ExecutionConfig(PerformanceHint.THROUGHPUT, null);

    private final PerformanceHint hint;
    private final Parallel parallel;

    private ExecutionConfig(PerformanceHint hint, Parallel parallel) {
        this.hint = hint;
        this.parallel = parallel;
    }

    /**
     * Every layer on the calling thread: the default, and what each instance of a THROUGHPUT pool uses (hence its
     * {@link #hint()} is THROUGHPUT).
     */
    public static ExecutionConfig singleThread() {
        return SINGLE;
    }

    /** LATENCY on every available processor. */
    public static ExecutionConfig latency() {
        return latency(Runtime.getRuntime().availableProcessors());
    }

    /** LATENCY: large int8 layers split over {@code threads} threads (the caller included); 1 is single-threaded. */
    public static ExecutionConfig latency(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return new ExecutionConfig(PerformanceHint.LATENCY, threads == 1 ? null : Parallel.create(threads));
    }

    /** LATENCY over an existing pool (e.g. one made with a lower split threshold); the caller keeps closing it. */
    public static ExecutionConfig latency(Parallel parallel) {
        return new ExecutionConfig(PerformanceHint.LATENCY, Objects.requireNonNull(parallel, "parallel"));
    }

    public PerformanceHint hint() {
        return hint;
    }

    /** Threads one inference uses: 1 unless LATENCY. */
    public int threads() {
        return parallel == null ? 1 : parallel.threads();
    }

    /** The pool the kernels split layers on, or null when single-threaded. */
    public Parallel parallel() {
        return parallel;
    }

    /** Stops the pool's threads (no effect when single-threaded); instances using it then run on their caller. */
    @Override
    public void close() {
        if (parallel != null) {
            parallel.close();
        }
    }

    @Override
    public String toString() {
        return parallel == null ? "ExecutionConfig[single thread]" : "ExecutionConfig[" + hint + ", " + parallel + "]";
    }
}
