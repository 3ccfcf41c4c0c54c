package dev.lowbit.reference;

import static dev.lowbit.reference.SpatialTestNodes.attrs;
import static dev.lowbit.reference.SpatialTestNodes.f32;
import static dev.lowbit.reference.SpatialTestNodes.node;
import static dev.lowbit.reference.SpatialTestNodes.run;
import static dev.lowbit.reference.SpatialTestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * DetectionOutput on a handful of priors with hand-computed decodes and NMS outcomes. The op decodes in
 * float; expected values are exact decimals, so a 1e-6 tolerance covers the float rounding of each
 * coordinate (a few ulps of values below 1).
 */
class DetectionOutputOpTest {
    private static final double TOL = 1e-6;

    /** A caffe SSD head like the retail models': background 0, CENTER_SIZE, shared locations, normalized. */
    private static Map<String, String> ssd(String... overrides) {
        Map<String, String> a = attrs("background_label_id", "0", "top_k", "400", "keep_top_k", "10",
                "code_type", "caffe.PriorBoxParameter.CENTER_SIZE", "share_location", "true", "nms_threshold", "0.45",
                "confidence_threshold", "0.01", "clip_after_nms", "false", "clip_before_nms", "false",
                "decrease_label_id", "false", "normalized", "true", "input_height", "1", "input_width", "1",
                "variance_encoded_in_target", "false", "objectness_score", "0");
        a.putAll(attrs(overrides));
        return a;
    }

    private static Node detection(String version, Map<String, String> attrs, int rows) {
        return node("DetectionOutput", version, attrs, shape(1, 1, rows, 7));
    }

    /** Priors given directly as corner boxes: CORNER code, variances in the target, zero offsets. */
    private static Tensor[] cornerInputs(double[][] boxes, double[][] scores) {
        int priors = boxes.length;
        int classes = scores[0].length;
        double[] proposals = new double[priors * 4];
        double[] conf = new double[priors * classes];
        for (int p = 0; p < priors; p++) {
            System.arraycopy(boxes[p], 0, proposals, p * 4, 4);
            System.arraycopy(scores[p], 0, conf, p * classes, classes);
        }
        return new Tensor[] {
            f32(shape(1, priors * 4), new double[priors * 4]),
            f32(shape(1, priors * classes), conf),
            f32(shape(1, 1, priors * 4), proposals)
        };
    }

    private static Map<String, String> corner(String... overrides) {
        Map<String, String> a = ssd("code_type", "caffe.PriorBoxParameter.CORNER",
                "variance_encoded_in_target", "true");
        a.putAll(attrs(overrides));
        return a;
    }

    private static final double[] A = {0, 0, 0.5, 0.5};
    /** Overlaps A with IoU 0.2025 / 0.2975 = 0.68. */
    private static final double[] B = {0.05, 0.05, 0.55, 0.55};
    private static final double[] C = {0.6, 0.6, 0.9, 0.9};

    /** The whole [total, 7] output: the given rows, every later row all zeros. */
    private static double[] rows(int total, double[]... rows) {
        double[] out = new double[total * 7];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * 7, rows[i].length);
        }
        return out;
    }

    private static double[] row(double image, double label, double score, double[] box) {
        return new double[] {image, label, score, box[0], box[1], box[2], box[3]};
    }

    @Test
    void decodesACenterSizeBoxWithVariancesAndMarksTheEndWithMinusOne() {
        // prior (0.2, 0.2, 0.6, 0.6): centre 0.4, size 0.4; variances 0.1 0.1 0.2 0.2
        // offsets (1, -1, 0, 5 ln 1.5): centre (0.4 + 0.1*0.4, 0.4 - 0.1*0.4), width 0.4, height 1.5 * 0.4
        Tensor loc = f32(shape(1, 4), 1, -1, 0, 5 * Math.log(1.5));
        Tensor conf = f32(shape(1, 2), 0.1, 0.9);
        Tensor priors = f32(shape(1, 2, 4), 0.2, 0.2, 0.6, 0.6, 0.1, 0.1, 0.2, 0.2);
        Tensor[] out = run(detection("opset1", ssd("num_classes", "2", "keep_top_k", "3"), 3), loc, conf, priors);
        double[] expected = rows(3, row(0, 1, 0.9, new double[] {0.24, 0.06, 0.64, 0.66}), new double[] {-1});
        assertArrayEquals(expected, out[0].toDoubleArray(), TOL);
    }

    @Test
    void unnormalizedPriorsAreScaledByTheInputSizeAndSkipTheirFirstValue() {
        // prior size 5: (batch, x1, y1, x2, y2) in pixels of a 100x50 input; variances still read 4 apart
        Tensor loc = f32(shape(1, 4), 1, -1, 0, 5 * Math.log(1.5));
        Tensor conf = f32(shape(1, 2), 0.1, 0.9);
        Tensor priors = f32(shape(1, 2, 5), 0, 20, 10, 60, 30, 0.1, 0.1, 0.2, 0.2, 0);
        Node n = detection("opset1", ssd("num_classes", "2", "keep_top_k", "2", "normalized", "false",
                "input_width", "100", "input_height", "50"), 2);
        double[] expected = rows(2, row(0, 1, 0.9, new double[] {0.24, 0.06, 0.64, 0.66}), new double[] {-1});
        assertArrayEquals(expected, run(n, loc, conf, priors)[0].toDoubleArray(), TOL);
    }

    @Test
    void nmsSuppressesAnOverlappingLowerScoreBox() {
        Tensor[] in = cornerInputs(new double[][] {A, B, C}, new double[][] {{0.1, 0.9}, {0.2, 0.8}, {0.3, 0.7}});
        Tensor[] out = run(detection("opset1", corner("num_classes", "2", "keep_top_k", "4"), 4), in);
        // B overlaps A by IoU 0.68 > 0.45 and scores lower: gone
        assertArrayEquals(rows(4, row(0, 1, 0.9, A), row(0, 1, 0.7, C), new double[] {-1}),
                out[0].toDoubleArray(), TOL);
    }

    @Test
    void nmsKeepsAnOverlapBelowTheThreshold() {
        Tensor[] in = cornerInputs(new double[][] {A, B, C}, new double[][] {{0.1, 0.9}, {0.2, 0.8}, {0.3, 0.7}});
        Node n = detection("opset1", corner("num_classes", "2", "keep_top_k", "4", "nms_threshold", "0.7"), 4);
        Tensor[] out = run(n, in);
        assertArrayEquals(rows(4, row(0, 1, 0.9, A), row(0, 1, 0.8, B), row(0, 1, 0.7, C), new double[] {-1}),
                out[0].toDoubleArray(), TOL);
    }

    @Test
    void confidenceMustExceedTheThreshold() {
        Tensor[] in = cornerInputs(new double[][] {A, C}, new double[][] {{0, 0.5}, {0, 0.51}});
        Tensor[] out = run(detection("opset1", corner("num_classes", "2", "keep_top_k", "2", "confidence_threshold",
                "0.5"), 2), in);
        // a score equal to the threshold is dropped (strictly greater is required)
        assertArrayEquals(rows(2, row(0, 1, 0.51, C), new double[] {-1}), out[0].toDoubleArray(), TOL);
    }

    @Test
    void keepTopKKeepsTheBestAcrossClassesAndListsThemByLabel() {
        double[] d = {0.6, 0.0, 0.9, 0.3};
        double[][] boxes = {A, C, d};
        // per prior: background, class 1, class 2
        double[][] scores = {{0, 0.9, 0.2}, {0, 0.3, 0.8}, {0, 0.05, 0.6}};
        Tensor[] out = run(detection("opset1", corner("num_classes", "3", "keep_top_k", "3"), 3),
                cornerInputs(boxes, scores));
        // five survive NMS; the best three are 0.9 (class 1), 0.8 and 0.6 (class 2); every row is used, no -1
        assertArrayEquals(rows(3, row(0, 1, 0.9, A), row(0, 2, 0.8, C), row(0, 2, 0.6, d)),
                out[0].toDoubleArray(), TOL);
    }

    @Test
    void opset8DerivesTheClassCountFromTheInputs() {
        double[] d = {0.6, 0.0, 0.9, 0.3};
        double[][] scores = {{0, 0.9, 0.2}, {0, 0.3, 0.8}, {0, 0.05, 0.6}};
        Tensor[] out = run(detection("opset8", corner("keep_top_k", "3"), 3), cornerInputs(new double[][] {A, C, d},
                scores));
        assertArrayEquals(rows(3, row(0, 1, 0.9, A), row(0, 2, 0.8, C), row(0, 2, 0.6, d)),
                out[0].toDoubleArray(), TOL);
    }

    @Test
    void topKLimitsEachClassBeforeNmsAndSizesTheOutputWhenKeepTopKIsMinusOne() {
        Tensor[] in = cornerInputs(new double[][] {A, C}, new double[][] {{0, 0.6}, {0, 0.7}});
        // rows = images * top_k * classes = 1 * 1 * 2
        Tensor[] out = run(detection("opset1", corner("num_classes", "2", "keep_top_k", "-1", "top_k", "1"), 2), in);
        assertArrayEquals(rows(2, row(0, 1, 0.7, C), new double[] {-1}), out[0].toDoubleArray(), TOL);
    }

    @Test
    void unsharedLocationsDecodeEachClassFromItsOwnOffsets() {
        // one prior A, classes background and 1; class 1's CORNER offsets move it by (0.1, 0.1, 0.1, 0.1)
        Tensor loc = f32(shape(1, 8), 0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1);
        Tensor conf = f32(shape(1, 2), 0.1, 0.9);
        Tensor priors = f32(shape(1, 1, 4), A);
        Node n = detection("opset8", corner("share_location", "false", "keep_top_k", "2"), 2);
        assertArrayEquals(rows(2, row(0, 1, 0.9, new double[] {0.1, 0.1, 0.6, 0.6}), new double[] {-1}),
                run(n, loc, conf, priors)[0].toDoubleArray(), TOL);
    }

    @Test
    void clipAfterNmsClampsTheWrittenBoxes() {
        Tensor loc = f32(shape(1, 4), -0.3, -0.3, 0.7, 0.7);
        Tensor conf = f32(shape(1, 2), 0.1, 0.9);
        Tensor priors = f32(shape(1, 1, 4), A);
        Node n = detection("opset1", corner("num_classes", "2", "keep_top_k", "1", "clip_after_nms", "true"), 1);
        assertArrayEquals(rows(1, row(0, 1, 0.9, new double[] {0, 0, 1, 1})),
                run(n, loc, conf, priors)[0].toDoubleArray(), TOL);
    }

    @Test
    void decreaseLabelIdVotesForEachPriorsBestClassAndShiftsLabels() {
        double[][] scores = {{0.1, 0.3, 0.6}, {0.1, 0.7, 0.2}};
        Tensor[] out = run(detection("opset1", corner("num_classes", "3", "keep_top_k", "3", "decrease_label_id",
                "true"), 3), cornerInputs(new double[][] {A, C}, scores));
        // prior 1 -> class 1 (0.7), prior 0 -> class 2 (0.6); written labels are class - 1, by class
        assertArrayEquals(rows(3, row(0, 0, 0.7, C), row(0, 1, 0.6, A), new double[] {-1}),
                out[0].toDoubleArray(), TOL);
    }

    @Test
    void classPredictionsNotMatchingNumClassesNameTheLayer() {
        Tensor[] in = cornerInputs(new double[][] {A, C}, new double[][] {{0, 0.6}, {0, 0.7}});
        IrException e = assertThrows(IrException.class,
                () -> run(detection("opset1", corner("num_classes", "3", "keep_top_k", "2"), 2), in));
        assertTrue(e.getMessage().contains("layer id=7 name='test_DetectionOutput' type=DetectionOutput"),
                e.getMessage());
        assertTrue(e.getMessage().contains("class_preds"), e.getMessage());
    }

    @Test
    void additionalPredictionInputsAreReportedAsUnsupported() {
        Tensor[] in = cornerInputs(new double[][] {A}, new double[][] {{0, 0.6}});
        Tensor[] five = {in[0], in[1], in[2], f32(shape(1, 2), 0.5, 0.5), in[0]};
        IrException e = assertThrows(IrException.class,
                () -> run(detection("opset8", corner("keep_top_k", "1"), 1), five));
        assertTrue(e.getMessage().contains("5-input"), e.getMessage());
    }

    @Test
    void cornerSizeCodeTypeIsReportedAsUnsupported() {
        Tensor[] in = cornerInputs(new double[][] {A}, new double[][] {{0, 0.6}});
        IrException e = assertThrows(IrException.class, () -> run(detection("opset8",
                corner("keep_top_k", "1", "code_type", "caffe.PriorBoxParameter.CORNER_SIZE"), 1), in));
        assertTrue(e.getMessage().contains("CORNER_SIZE"), e.getMessage());
    }
}
