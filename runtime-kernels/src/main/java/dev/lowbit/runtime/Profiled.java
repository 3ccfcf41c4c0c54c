package dev.lowbit.runtime;

/**
 * A compiled model that can time each of its layers, like OpenVINO's per-layer performance counters
 * ({@code ov::InferRequest::get_profiling_info}, {@code benchmark_app -pc}). Implemented by every generated model
 * class unless its interface says {@code @CompiledModel(profiling = false)}.
 *
 * <p>Off by default. While off, an inference runs exactly the un-instrumented layer calls; the only extra work is
 * one check of a field per inference. While on, each layer call is bracketed by {@link System#nanoTime()} reads
 * (about two reads per layer), which adds tens of nanoseconds per layer; the times include that overhead and the
 * call of the layer method, not the copy of the outputs.
 *
 * <p>Thread safety: the profiling state belongs to the model instance, which is not thread-safe. Enable, read and
 * reset it on the thread that calls the model, or with the same external synchronization as the calls. The
 * returned {@link ProfilingInfo} is an immutable snapshot and may be shared freely.
 */
public interface Profiled {
    /**
     * Starts ({@code true}) or stops ({@code false}) timing the layers of the following inferences. Stopping keeps
     * the times recorded so far; starting again adds to them.
     */
    void enableProfiling(boolean enabled);

    /** Whether the following inferences are timed. */
    boolean profilingEnabled();

    /**
     * The times recorded since creation or the last {@link #resetProfiling()}: every layer in execution order, with
     * zero times and counts if nothing was recorded.
     */
    ProfilingInfo profilingInfo();

    /** Forgets the recorded times; does not change whether profiling is enabled. */
    void resetProfiling();
}
