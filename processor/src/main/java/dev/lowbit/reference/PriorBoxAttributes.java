package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * The attributes of PriorBox-1 / PriorBox-8, as floats, plus OpenVINO's count of priors per feature-map cell
 * ({@code PriorBox::number_of_priors}). PriorBox-1 always orders min, max, then aspect-ratio boxes (it is
 * evaluated as PriorBox-8 with min_max_aspect_ratios_order = true). Immutable.
 */
record PriorBoxAttributes(float[] minSize, float[] maxSize, float[] aspectRatio, float[] density,
        float[] fixedRatio, float[] fixedSize, boolean clip, boolean flip, float step, float offset,
        float[] variance, boolean scaleAllSizes, boolean minMaxAspectRatiosOrder) {

    static PriorBoxAttributes of(Node node) {
        float[] variance = FloatAttributes.list(node, "variance");
        if (variance.length != 0 && variance.length != 1 && variance.length != 4) {
            throw new IrException(node, "attribute 'variance'=" + Arrays.toString(variance)
                    + " must have 0, 1 or 4 elements");
        }
        boolean order = node.opset() >= 8 ? node.attributes().bool("min_max_aspect_ratios_order", true) : true;
        return new PriorBoxAttributes(
                FloatAttributes.list(node, "min_size"),
                FloatAttributes.list(node, "max_size"),
                FloatAttributes.list(node, "aspect_ratio"),
                FloatAttributes.list(node, "density"),
                FloatAttributes.list(node, "fixed_ratio"),
                FloatAttributes.list(node, "fixed_size"),
                node.attributes().bool("clip", false),
                node.attributes().bool("flip", false),
                FloatAttributes.scalar(node, "step", 0f),
                FloatAttributes.required(node, "offset"),
                variance,
                node.attributes().bool("scale_all_sizes", true),
                order);
    }

    /** Priors per cell as OpenVINO's shape inference counts them; the output shape depends on it. */
    long numberOfPriors() {
        long ratios = normalizedAspectRatioCount();
        long n = scaleAllSizes ? ratios * minSize.length + maxSize.length : ratios + minSize.length - 1;
        if (fixedSize.length > 0) {
            n = ratios * fixedSize.length;
        }
        for (float d : density) {
            long rounded = (long) d;
            long extra = rounded * rounded - 1;
            n += fixedRatio.length > 0 ? fixedRatio.length * extra : ratios * extra;
        }
        return n;
    }

    /** The aspect ratios the boxes use: 1 first, then each new ratio and, with flip, its inverse. */
    float[] aspectRatiosInUse() {
        float[] out = new float[1 + 2 * aspectRatio.length];
        int n = 0;
        out[n++] = 1.0f;
        for (float ar : aspectRatio) {
            boolean exists = false;
            for (int i = 0; i < n; i++) {
                exists |= Math.abs(ar - out[i]) < 1e-6;
            }
            if (!exists) {
                out[n++] = ar;
                if (flip) {
                    out[n++] = 1.0f / ar;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Size of the set of ratios rounded to 1e-6 (with inverses when flip), 1 included. */
    private long normalizedAspectRatioCount() {
        TreeSet<Float> unique = new TreeSet<>();
        for (float ratio : aspectRatio) {
            unique.add(roundToMicro(ratio));
            if (flip) {
                unique.add(roundToMicro(1 / ratio));
            }
        }
        unique.add(1.0f);
        return unique.size();
    }

    /** std::round(x * 1e6f) / 1e6f in float; round half away from zero, as C's roundf. */
    private static float roundToMicro(float x) {
        float scaled = x * 1e6f;
        float rounded = (float) (Math.signum(scaled) * Math.floor(Math.abs((double) scaled) + 0.5));
        return rounded / 1e6f;
    }
}
