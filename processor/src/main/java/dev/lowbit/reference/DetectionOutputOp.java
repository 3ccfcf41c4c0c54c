package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * DetectionOutput-1 and DetectionOutput-8 with three inputs: box_logits [N, priors * locClasses * 4],
 * class_preds [N, priors * classes], proposals [1 or N, 1 or 2, priors * (4 or 5)]. Decodes every prior,
 * selects detections per {@link DetectionNms}, and writes rows (image_id, label, confidence, xmin, ymin, xmax,
 * ymax) into [1, 1, rows, 7], images in order, labels ascending, each label's boxes in NMS order. The row after
 * the last detection has image_id -1 and every later value is 0, exactly as OpenVINO's reference fills it. The
 * five-input (additional predictions) form is rejected as unsupported. Stateless, thread-safe.
 */
final class DetectionOutputOp implements OpEvaluator {
    /** Three or five inputs, as the spec allows; the five-input form is refused by name in {@link #evaluate}. */
    @Override
    public InputArity arity() {
        return InputArity.between(3, 5);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        requireThreeInputs(node, inputs.length);
        DetectionOutputAttributes attrs = DetectionOutputAttributes.of(node);
        Layout layout = Layout.of(node, attrs, inputs[0].shape(), inputs[1].shape(), inputs[2].shape());
        PriorDecoder decoder = new PriorDecoder(attrs);
        DetectionNms nms = new DetectionNms(attrs);
        double[] loc = inputs[0].toDoubleArray();
        double[] conf = inputs[1].toDoubleArray();
        double[] proposals = inputs[2].toDoubleArray();
        int rows = layout.outputRows(node, attrs);
        double[] out = new double[rows * 7];
        int count = 0;
        for (int image = 0; image < layout.images; image++) {
            float[][] scores = scores(conf, image, layout);
            DetectionBox[][] boxes = decode(loc, proposals, image, layout, attrs, decoder);
            Map<Integer, List<Integer>> kept = attrs.decreaseLabelId()
                    ? nms.bestClassPerPrior(boxes, scores)
                    : nms.perClass(boxes, scores);
            kept = nms.keepTopK(kept, scores);
            for (Map.Entry<Integer, List<Integer>> e : kept.entrySet()) {
                int label = e.getKey();
                DetectionBox[] labelBoxes = boxes[attrs.shareLocation() ? 0 : label];
                for (int prior : e.getValue()) {
                    if (count >= rows) {
                        throw new IrException(node, "more detections than the " + rows + " output rows");
                    }
                    DetectionBox b = attrs.clipAfterNms() ? labelBoxes[prior].clipped() : labelBoxes[prior];
                    int o = count * 7;
                    out[o] = image;
                    out[o + 1] = attrs.decreaseLabelId() ? label - 1 : label;
                    out[o + 2] = scores[label][prior];
                    out[o + 3] = b.xmin();
                    out[o + 4] = b.ymin();
                    out[o + 5] = b.xmax();
                    out[o + 6] = b.ymax();
                    count++;
                }
            }
        }
        if (count < rows) {
            out[count * 7] = -1;
        }
        return new Tensor[] {Tensor.of(inputs[0].type(), new int[] {1, 1, rows, 7}, out)};
    }

    /** The form with additional predictions (five inputs) is not supported; four inputs is no form at all. */
    static void requireThreeInputs(Node node, int inputs) {
        if (inputs == 5) {
            throw new IrException(node, "the 5-input form (aux_class_preds, aux_box_preds) is not supported");
        }
        InputArity.exactly(3).check(node, inputs);
    }

    /**
     * The output shape {@code [1, 1, rows, 7]} for inputs of these shapes: rows from keep_top_k, else top_k, else
     * every (prior, class) pair.
     */
    static int[] outputShape(Node node, int[] loc, int[] conf, int[] proposals) {
        DetectionOutputAttributes attrs = DetectionOutputAttributes.of(node);
        return new int[] {1, 1, Layout.of(node, attrs, loc, conf, proposals).outputRows(node, attrs), 7};
    }

    /** scores[class][prior] of one image. */
    private static float[][] scores(double[] conf, int image, Layout l) {
        float[][] s = new float[l.classes][l.priors];
        int base = image * l.priors * l.classes;
        for (int p = 0; p < l.priors; p++) {
            for (int c = 0; c < l.classes; c++) {
                s[c][p] = (float) conf[base + p * l.classes + c];
            }
        }
        return s;
    }

    /** Decoded boxes per location label of one image; the background's entry is null when not shared. */
    private static DetectionBox[][] decode(double[] loc, double[] proposals, int image, Layout l,
            DetectionOutputAttributes attrs, PriorDecoder decoder) {
        int priorBatch = l.priorBatches == 1 ? 0 : image;
        int priorBase = priorBatch * l.proposalRows * l.priors * l.priorSize;
        int varianceBase = priorBase + l.priors * l.priorSize;
        int offset = attrs.normalized() ? 0 : 1;
        DetectionBox[][] boxes = new DetectionBox[l.locClasses][];
        for (int c = 0; c < l.locClasses; c++) {
            int label = attrs.shareLocation() ? -1 : c;
            if (attrs.backgroundLabelId() > -1 && label == attrs.backgroundLabelId()) {
                continue;
            }
            boxes[c] = new DetectionBox[l.priors];
            for (int p = 0; p < l.priors; p++) {
                DetectionBox prior = box(proposals, priorBase + p * l.priorSize + offset);
                float[] variance = null;
                if (!attrs.varianceEncodedInTarget()) {
                    // OpenVINO reads variances with a stride of 4 even when a prior has 5 values
                    int v = varianceBase + p * 4;
                    variance = new float[4];
                    for (int j = 0; j < 4; j++) {
                        variance[j] = (float) proposals[v + j];
                    }
                }
                int at = ((image * l.priors + p) * l.locClasses + c) * 4;
                boxes[c][p] = decoder.decode(prior, variance, box(loc, at));
            }
        }
        return boxes;
    }

    private static DetectionBox box(double[] v, int at) {
        return new DetectionBox((float) v[at], (float) v[at + 1], (float) v[at + 2], (float) v[at + 3]);
    }

    /** The sizes implied by the three inputs, checked against each other as OpenVINO's shape inference does. */
    private record Layout(int images, int priors, int classes, int locClasses, int priorSize, int priorBatches,
            int proposalRows) {

        static Layout of(Node node, DetectionOutputAttributes attrs, int[] loc, int[] conf, int[] proposals) {
            if (loc.length != 2 || conf.length != 2 || proposals.length != 3) {
                throw new IrException(node, "expects box_logits and class_preds of rank 2 and proposals of rank 3, got "
                        + Arrays.toString(loc) + ", " + Arrays.toString(conf) + ", "
                        + Arrays.toString(proposals));
            }
            int images = loc[0];
            int priorSize = attrs.normalized() ? 4 : 5;
            if (proposals[2] % priorSize != 0 || proposals[2] == 0) {
                throw new IrException(node, "proposals " + Arrays.toString(proposals)
                        + ": the last dimension must be a positive multiple of the prior size " + priorSize);
            }
            int priors = proposals[2] / priorSize;
            int proposalRows = attrs.varianceEncodedInTarget() ? 1 : 2;
            if (proposals[1] != proposalRows) {
                throw new IrException(node, "proposals " + Arrays.toString(proposals) + " must have "
                        + proposalRows + " rows (variance_encoded_in_target=" + attrs.varianceEncodedInTarget() + ")");
            }
            if (proposals[0] != 1 && proposals[0] != images) {
                throw new IrException(node, "proposals " + Arrays.toString(proposals)
                        + ": the first dimension must be 1 or the batch size " + images);
            }
            int classes = attrs.numClasses();
            if (classes < 0) {
                if (conf[1] % priors != 0) {
                    throw new IrException(node, "class_preds " + Arrays.toString(conf)
                            + ": the second dimension must be a multiple of the " + priors + " priors");
                }
                classes = conf[1] / priors;
            }
            if (conf[0] != images || (long) conf[1] != (long) priors * classes) {
                throw new IrException(node, "class_preds " + Arrays.toString(conf) + " must be [" + images
                        + ", " + priors + " priors * " + classes + " classes]");
            }
            int locClasses = attrs.shareLocation() ? 1 : classes;
            if ((long) loc[1] != 4L * priors * locClasses) {
                throw new IrException(node, "box_logits " + Arrays.toString(loc) + " must be [" + images
                        + ", " + priors + " priors * " + locClasses + " location classes * 4]");
            }
            if (classes == 0) {
                throw new IrException(node, "no classes: class_preds " + Arrays.toString(conf));
            }
            return new Layout(images, priors, classes, locClasses, priorSize, proposals[0], proposalRows);
        }

        /** Rows of the output, from keep_top_k, else top_k, else every (prior, class) pair. */
        int outputRows(Node node, DetectionOutputAttributes attrs) {
            long rows;
            if (attrs.keepTopK() > 0) {
                rows = (long) images * attrs.keepTopK();
            } else if (attrs.keepTopK() == -1 && attrs.topK() > 0) {
                rows = (long) images * attrs.topK() * classes;
            } else {
                rows = (long) images * priors * classes;
            }
            if (rows <= 0 || rows > Integer.MAX_VALUE / 7) {
                throw new IrException(node, "the output would have " + rows + " rows");
            }
            return (int) rows;
        }
    }
}
