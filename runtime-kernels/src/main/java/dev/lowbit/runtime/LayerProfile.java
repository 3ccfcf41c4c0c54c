package dev.lowbit.runtime;

/**
 * The recorded time of one layer of a compiled model. Immutable, so thread-safe.
 *
 * @param id         the IR layer id
 * @param name       the IR layer name
 * @param type       the IR operation type, e.g. {@code Convolution}
 * @param precision  what the layer computes in, as in the build report: {@code f32}, {@code u8} or {@code i8}
 * @param kernel     the runtime kernel the generated code calls (empty for layers computed inline)
 * @param macs       multiply-accumulates the layer's code performs per inference (0 for layers that do none). On
 *                   the int8 path a Convolution or MatMul runs in the code of its last fused layer (its bias, ReLU
 *                   or FakeQuantize): its MACs and its time are both counted there, whereas the build report lists
 *                   the MACs at the linear layer
 * @param totalNanos summed wall-clock time of the layer over {@code count} executions
 * @param count      how many timed executions the total covers
 */
public record LayerProfile(int id, String name, String type, String precision, String kernel, long macs,
        long totalNanos, long count) {
    /** Mean microseconds per execution; 0 if the layer was never timed. */
    public double meanMicros() {
        return count == 0 ? 0 : totalNanos / 1e3 / count;
    }

    /** Giga multiply-accumulates per second while the layer ran; NaN if it does none or was never timed. */
    public double gmacPerSecond() {
        return macs == 0 || totalNanos == 0 ? Double.NaN : (double) macs * count / totalNanos; // MAC/ns = GMAC/s
    }
}
