package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;

/**
 * The attributes of DetectionOutput-1 / DetectionOutput-8 (defaults from OpenVINO's
 * DetectionOutputBase::AttributesBase). {@code numClasses} is the opset1 attribute, or -1 for opset8, which
 * derives it from the input shapes. Thresholds are floats as in OpenVINO. Immutable.
 */
record DetectionOutputAttributes(int numClasses, int backgroundLabelId, int topK, boolean varianceEncodedInTarget,
        int keepTopK, CodeType codeType, boolean shareLocation, float nmsThreshold, float confidenceThreshold,
        boolean clipAfterNms, boolean clipBeforeNms, boolean decreaseLabelId, boolean normalized, int inputHeight,
        int inputWidth) {

    /** How box_logits encode a box relative to its prior. */
    enum CodeType {
        /** Offsets of the corners. */
        CORNER,
        /** Offsets of the centre scaled by the prior's size, log-ratios of width and height. */
        CENTER_SIZE
    }

    static DetectionOutputAttributes of(Node node) {
        var a = node.attributes();
        int numClasses = -1;
        if (node.opset() < 8) {
            numClasses = a.intValue("num_classes");
            if (numClasses <= 0) {
                throw new IrException(node, "attribute 'num_classes'=" + numClasses + " must be positive");
            }
        }
        int[] keepTopK = a.ints("keep_top_k");
        if (keepTopK.length == 0) {
            throw new IrException(node, "attribute 'keep_top_k' is empty");
        }
        if (!a.has("nms_threshold")) {
            throw new IrException(node, "missing attribute 'nms_threshold'");
        }
        int inputHeight = a.intValue("input_height", 1);
        int inputWidth = a.intValue("input_width", 1);
        boolean normalized = a.bool("normalized", false);
        if (!normalized && (inputHeight <= 0 || inputWidth <= 0)) {
            throw new IrException(node, "input_height/input_width must be positive when normalized is false, got "
                    + inputHeight + "/" + inputWidth);
        }
        return new DetectionOutputAttributes(
                numClasses,
                a.intValue("background_label_id", 0),
                a.intValue("top_k", -1),
                a.bool("variance_encoded_in_target", false),
                keepTopK[0],
                codeType(node, a.string("code_type", "caffe.PriorBoxParameter.CORNER")),
                a.bool("share_location", true),
                (float) a.doubleValue("nms_threshold"),
                FloatAttributes.scalar(node, "confidence_threshold", 0f),
                a.bool("clip_after_nms", false),
                a.bool("clip_before_nms", false),
                a.bool("decrease_label_id", false),
                normalized,
                inputHeight,
                inputWidth);
    }

    private static CodeType codeType(Node node, String value) {
        return switch (value) {
            case "caffe.PriorBoxParameter.CORNER" -> CodeType.CORNER;
            case "caffe.PriorBoxParameter.CENTER_SIZE" -> CodeType.CENTER_SIZE;
            case "caffe.PriorBoxParameter.CORNER_SIZE" -> throw new IrException(node, "code_type '" + value
                    + "' is not supported: the DetectionOutput spec and OpenVINO's reference define only"
                    + " caffe.PriorBoxParameter.CORNER and caffe.PriorBoxParameter.CENTER_SIZE");
            default -> throw new IrException(node, "attribute 'code_type'='" + value + "' is not one of"
                    + " caffe.PriorBoxParameter.CORNER, caffe.PriorBoxParameter.CENTER_SIZE");
        };
    }
}
