package dev.lowbit.quantize;

import dev.lowbit.graph.Graph;
import java.util.List;

/**
 * What post-training quantization produced: the INT8 graph (FakeQuantize + compressed weights, still to
 * be written as IR), and per layer what was done or why not. Immutable, thread-safe.
 */
public record QuantizationResult(Graph graph, List<Layer> layers) {
    /**
     * One Convolution or MatMul. Immutable by contract (the interval array is shared, not copied), and then
     * thread-safe.
     *
     * @param range      the calibrated range of its data input, null when skipped
     * @param interval   the FakeQuantize [low, high] put in front of it, null when skipped
     * @param skipReason null when quantized
     */
    public record Layer(String name, String type, ActivationRange range, float[] interval, String skipReason) {}

    public QuantizationResult {
        layers = List.copyOf(layers);
    }

    /** One line per layer, for build logs. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (Layer l : layers) {
            sb.append(l.type()).append(" '").append(l.name()).append("': ");
            if (l.skipReason() != null) {
                sb.append("fp32 (").append(l.skipReason()).append(")");
            } else {
                sb.append(String.format(java.util.Locale.ROOT, "int8, input observed [%g, %g] -> FakeQuantize [%g, %g]",
                        l.range().low(), l.range().high(), l.interval()[0], l.interval()[1]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
