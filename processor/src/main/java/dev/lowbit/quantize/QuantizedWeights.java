package dev.lowbit.quantize;

import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;

/**
 * Per-output-channel symmetric int8 weights: {@code w ≈ q * scale[channel]} with q in [-127, 127] (the
 * "narrow" i8 range OpenVINO's tools use for weights, which keeps u8 x i8 pair sums clear of int16
 * saturation) and scale = max|w| over the channel / 127, so the rounding error is at most scale / 2.
 * An all-zero channel gets scale 1 (q is 0 whatever the scale). Immutable, thread-safe.
 *
 * @param values i8 tensor with the weights' shape
 * @param scale  f32 tensor of the weights' rank, 1 everywhere except the channel axis
 */
public record QuantizedWeights(Tensor values, Tensor scale) {
    public static final int MAX_LEVEL = 127;

    /** Quantizes {@code weights} (any float type) with one scale per index of {@code channelAxis}. */
    public static QuantizedWeights perChannel(Tensor weights, int channelAxis) {
        int[] shape = weights.shape();
        if (channelAxis < 0 || channelAxis >= shape.length) {
            throw new IllegalArgumentException("channel axis " + channelAxis + " is out of range for shape "
                    + java.util.Arrays.toString(shape));
        }
        int channels = shape[channelAxis];
        int inner = Shapes.strides(shape)[channelAxis];
        double[] max = new double[channels];
        for (int i = 0; i < weights.size(); i++) {
            int c = (i / inner) % channels;
            double w = weights.get(i);
            if (!Double.isFinite(w)) {
                throw new IllegalArgumentException("weight " + i + " is " + w);
            }
            max[c] = Math.max(max[c], Math.abs(w));
        }
        double[] scale = new double[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = max[c] > 0 ? (float) (max[c] / MAX_LEVEL) : 1f;
        }
        double[] q = new double[weights.size()];
        for (int i = 0; i < q.length; i++) {
            int c = (i / inner) % channels;
            q[i] = Math.max(-MAX_LEVEL, Math.min(MAX_LEVEL, Math.rint(weights.get(i) / scale[c])));
        }
        int[] scaleShape = new int[shape.length];
        java.util.Arrays.fill(scaleShape, 1);
        scaleShape[channelAxis] = channels;
        return new QuantizedWeights(Tensor.of(ElementType.I8, shape, q), Tensor.of(ElementType.F32, scaleShape, scale));
    }
}
