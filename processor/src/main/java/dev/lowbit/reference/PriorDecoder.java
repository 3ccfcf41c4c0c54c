package dev.lowbit.reference;

/**
 * Turns one prior box and its predicted offsets into a box, per DetectionOutput's code_type, with or without
 * the prior's variances (variance_encoded_in_target), in float as OpenVINO's detection_output.hpp. Immutable,
 * thread-safe.
 */
final class PriorDecoder {
    private final DetectionOutputAttributes attrs;

    PriorDecoder(DetectionOutputAttributes attrs) {
        this.attrs = attrs;
    }

    /**
     * @param variance the prior's four variances, or null when they are encoded in the target
     */
    DetectionBox decode(DetectionBox prior, float[] variance, DetectionBox loc) {
        float pxmin = prior.xmin();
        float pymin = prior.ymin();
        float pxmax = prior.xmax();
        float pymax = prior.ymax();
        if (!attrs.normalized()) {
            pxmin /= (float) attrs.inputWidth();
            pymin /= (float) attrs.inputHeight();
            pxmax /= (float) attrs.inputWidth();
            pymax /= (float) attrs.inputHeight();
        }
        float v0 = variance == null ? 1 : variance[0];
        float v1 = variance == null ? 1 : variance[1];
        float v2 = variance == null ? 1 : variance[2];
        float v3 = variance == null ? 1 : variance[3];
        DetectionBox box;
        if (attrs.codeType() == DetectionOutputAttributes.CodeType.CORNER) {
            box = variance == null
                    ? new DetectionBox(pxmin + loc.xmin(), pymin + loc.ymin(), pxmax + loc.xmax(), pymax + loc.ymax())
                    : new DetectionBox(pxmin + v0 * loc.xmin(), pymin + v1 * loc.ymin(), pxmax + v2 * loc.xmax(),
                            pymax + v3 * loc.ymax());
        } else {
            float width = pxmax - pxmin;
            float height = pymax - pymin;
            float cx = (pxmin + pxmax) / 2;
            float cy = (pymin + pymax) / 2;
            float dcx = (variance == null ? loc.xmin() : v0 * loc.xmin()) * width + cx;
            float dcy = (variance == null ? loc.ymin() : v1 * loc.ymin()) * height + cy;
            float dw = (float) Math.exp(variance == null ? loc.xmax() : v2 * loc.xmax()) * width;
            float dh = (float) Math.exp(variance == null ? loc.ymax() : v3 * loc.ymax()) * height;
            box = new DetectionBox(dcx - dw / 2, dcy - dh / 2, dcx + dw / 2, dcy + dh / 2);
        }
        return attrs.clipBeforeNms() ? box.clipped() : box;
    }
}
