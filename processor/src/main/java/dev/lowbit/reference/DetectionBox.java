package dev.lowbit.reference;

/**
 * An axis-aligned box (xmin, ymin, xmax, ymax) in float, with the size and Jaccard overlap computed in float
 * in the order of OpenVINO's detection_output.hpp, so NMS decisions near the threshold match it. Immutable.
 */
record DetectionBox(float xmin, float ymin, float xmax, float ymax) {

    /** Area, or 0 for an inverted box. */
    float size() {
        if (xmax < xmin || ymax < ymin) {
            return 0;
        }
        return (xmax - xmin) * (ymax - ymin);
    }

    /** Intersection over union; 0 when the boxes do not overlap with positive width and height. */
    float jaccardOverlap(DetectionBox o) {
        float ixmin = 0;
        float iymin = 0;
        float ixmax = 0;
        float iymax = 0;
        if (!(o.xmin > xmax || o.xmax < xmin || o.ymin > ymax || o.ymax < ymin)) {
            ixmin = Math.max(xmin, o.xmin);
            iymin = Math.max(ymin, o.ymin);
            ixmax = Math.min(xmax, o.xmax);
            iymax = Math.min(ymax, o.ymax);
        }
        float w = ixmax - ixmin;
        float h = iymax - iymin;
        if (w > 0 && h > 0) {
            float intersection = w * h;
            return intersection / (size() + o.size() - intersection);
        }
        return 0;
    }

    /** Each coordinate clamped to [0, 1]. */
    DetectionBox clipped() {
        return new DetectionBox(clamp(xmin), clamp(ymin), clamp(xmax), clamp(ymax));
    }

    private static float clamp(float v) {
        return Math.max(0f, Math.min(1f, v));
    }
}
