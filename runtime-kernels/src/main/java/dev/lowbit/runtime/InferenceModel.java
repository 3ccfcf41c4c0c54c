package dev.lowbit.runtime;

import java.util.List;
import java.util.Map;

/**
 * A compiled model, implemented by every class the lowbit processor generates: inputs and outputs by the
 * IR's names, as flat row-major {@code float[]} arrays in the IR's layout.
 *
 * <p>Generated implementations are not thread-safe (an instance owns its scratch buffers); instances are
 * cheap because the weights are shared by all instances of a class. Use one instance per thread, or an
 * {@link InferencePool}, which is thread-safe and implements this interface (THROUGHPUT: several instances serve
 * concurrent requests). A generated class's {@code ExecutionConfig} constructor chooses LATENCY instead: one
 * inference's large int8 layers split over a worker pool, with results bit-identical to one thread.
 *
 * <p>Generated classes also implement {@link Profiled} (per-layer times, off by default) unless compiled with
 * {@code @CompiledModel(profiling = false)}.
 */
public interface InferenceModel {
    /** The model inputs in the IR's order. */
    List<TensorSpec> inputs();

    /** The model outputs in the IR's order. */
    List<TensorSpec> outputs();

    /**
     * Runs the model.
     *
     * @param inputs one array per input name, each of exactly {@link TensorSpec#size()} elements
     * @return a new array per output name, in the IR's order
     * @throws IllegalArgumentException for an unknown or missing input name or an array of the wrong
     *     length; the message names the tensor with its expected and actual size
     */
    Map<String, float[]> infer(Map<String, float[]> inputs);

    /**
     * Runs the model and writes every output into the caller's array of that name: no allocation in steady state
     * (for a server loop that reuses its buffers). The arrays of {@code outputs} are overwritten, nothing else in
     * either map is changed.
     *
     * @param inputs  one array per input name, each of exactly {@link TensorSpec#size()} elements
     * @param outputs one array per output name, each of exactly {@link TensorSpec#size()} elements
     * @throws IllegalArgumentException for an unknown or missing input or output name or an array of the wrong
     *     length; the message names the tensor with its expected and actual size
     */
    void infer(Map<String, float[]> inputs, Map<String, float[]> outputs);
}
