package dev.lowbit.runtime;

/**
 * What a compiled model should be tuned for when it runs on several cores, as OpenVINO's performance hints.
 * Chosen per model with {@link InferencePool#create(java.util.function.Function, PerformanceHint, int)} (or per
 * instance with {@link ExecutionConfig}). An enum: immutable and thread-safe.
 */
public enum PerformanceHint {
    /**
     * Shortest time per inference: one inference at a time, its large int8 layers split across the threads
     * (blocks of output rows or output channels) on a worker pool created once.
     */
    LATENCY,
    /**
     * Most inferences per second: several inferences at once, each single-threaded on its own model instance
     * (its own scratch buffers; the weights are shared by all instances of a class).
     */
    THROUGHPUT
}
