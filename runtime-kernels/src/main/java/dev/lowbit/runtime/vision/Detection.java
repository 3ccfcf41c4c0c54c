package dev.lowbit.runtime.vision;

import java.util.ArrayList;
import java.util.List;

/**
 * One row of an SSD DetectionOutput ([image_id, label, confidence, xmin, ymin, xmax, ymax], box corners as
 * fractions of the input size). Immutable and thread-safe; {@link #parse} is stateless.
 */
public record Detection(int label, float confidence, float xmin, float ymin, float xmax, float ymax) {

    /** Reads the rows of a [1, 1, N, 7] DetectionOutput until the first row whose image_id is -1. */
    public static List<Detection> parse(float[] rows) {
        if (rows.length % 7 != 0) {
            throw new IllegalArgumentException("DetectionOutput rows have 7 values each; got " + rows.length + " values");
        }
        List<Detection> out = new ArrayList<>();
        for (int r = 0; r < rows.length; r += 7) {
            if (rows[r] == -1f) {
                break;
            }
            out.add(new Detection((int) rows[r + 1], rows[r + 2], rows[r + 3], rows[r + 4], rows[r + 5], rows[r + 6]));
        }
        return out;
    }

    /** Detections at or above {@code threshold}. */
    public static List<Detection> atLeast(List<Detection> all, double threshold) {
        return all.stream().filter(d -> d.confidence >= threshold).toList();
    }

    public float centerX() {
        return (xmin + xmax) / 2;
    }

    public float centerY() {
        return (ymin + ymax) / 2;
    }

    /** Intersection over union of the two boxes. */
    public double iou(Detection o) {
        double iw = Math.max(0, Math.min(xmax, o.xmax) - Math.max(xmin, o.xmin));
        double ih = Math.max(0, Math.min(ymax, o.ymax) - Math.max(ymin, o.ymin));
        double inter = iw * ih;
        double union = (xmax - xmin) * (ymax - ymin) + (o.xmax - o.xmin) * (o.ymax - o.ymin) - inter;
        return union <= 0 ? 0 : inter / union;
    }

    @Override
    public String toString() {
        return String.format("label %d conf %.4f box [%.3f, %.3f, %.3f, %.3f]", label, confidence, xmin, ymin, xmax, ymax);
    }
}
