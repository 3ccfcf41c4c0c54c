package dev.lowbit.reference;

import static dev.lowbit.reference.SpatialTestNodes.attrs;
import static dev.lowbit.reference.SpatialTestNodes.i64;
import static dev.lowbit.reference.SpatialTestNodes.node;
import static dev.lowbit.reference.SpatialTestNodes.run;
import static dev.lowbit.reference.SpatialTestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PriorBox and PriorBoxClustered on a 2x2 feature map, expected boxes computed here in double from the spec
 * formulas: centre ((w + offset) * step, (h + offset) * step), half sizes from min_size, sqrt(min * max) and
 * min * sqrt(ar), everything divided by the image size. The op computes in float, so values in [0, 1] may
 * differ from these by a few float ulps (~6e-8 each): tolerance 1e-6.
 */
class PriorBoxOpsTest {
    private static final double TOL = 1e-6;
    private static final double[] VARIANCE = {0.1, 0.1, 0.2, 0.2};

    /** Expected output: for each cell (row-major) and each half-size pair, the normalized box; then variances. */
    private static double[] expected(int h, int w, double stepX, double stepY, double offset, double imageW,
            double imageH, double[][] halfSizes, double[] variance, boolean clip) {
        int n = h * w * halfSizes.length * 4;
        double[] out = new double[2 * n];
        int i = 0;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double cx = (c + offset) * stepX;
                double cy = (r + offset) * stepY;
                for (double[] half : halfSizes) {
                    double[] box = {(cx - half[0]) / imageW, (cy - half[1]) / imageH, (cx + half[0]) / imageW,
                        (cy + half[1]) / imageH};
                    for (double v : box) {
                        out[i++] = clip ? Math.min(Math.max(v, 0), 1) : v;
                    }
                }
            }
        }
        for (int j = 0; j < n; j++) {
            out[n + j] = variance[j % variance.length];
        }
        return out;
    }

    private static Node priorBox(String version, Map<String, String> attrs, int priorsPerCell) {
        return node("PriorBox", version, attrs, shape(2, 4 * 2 * 2 * priorsPerCell));
    }

    private static Map<String, String> ssdAttrs(String... extra) {
        Map<String, String> a = attrs("min_size", "8", "max_size", "16", "aspect_ratio", "2", "flip", "true", "clip",
                "false", "step", "16", "offset", "0.5", "variance", "0.1, 0.1, 0.2, 0.2", "scale_all_sizes", "true",
                "density", "", "fixed_ratio", "", "fixed_size", "");
        a.putAll(attrs(extra));
        return a;
    }

    private static final double S2 = Math.sqrt(2);
    /** Half sizes for min 8 / max 16 / ratio 2 flipped: min square, sqrt(8*16) square, 2:1, 1:2. */
    private static final double[] MIN = {4, 4};
    private static final double[] MAX = {Math.sqrt(128) / 2, Math.sqrt(128) / 2};
    private static final double[] WIDE = {4 * S2, 4 / S2};
    private static final double[] TALL = {4 / S2, 4 * S2};

    @Test
    void priorBoxOrdersMinMaxThenAspectRatioBoxes() {
        double[] out = run(priorBox("opset1", ssdAttrs(), 4), i64(2, 2), i64(32, 32))[0].toDoubleArray();
        // first box of cell (0,0): centre 8, half 4, over 32
        assertArrayEquals(new double[] {0.125, 0.125, 0.375, 0.375}, Arrays.copyOf(out, 4), TOL);
        assertArrayEquals(expected(2, 2, 16, 16, 0.5, 32, 32, new double[][] {MIN, MAX, WIDE, TALL}, VARIANCE, false),
                out, TOL);
    }

    @Test
    void priorBox8CanPutAspectRatioBoxesBeforeTheMaxBox() {
        Node n = priorBox("opset8", ssdAttrs("min_max_aspect_ratios_order", "false"), 4);
        double[] out = run(n, i64(2, 2), i64(32, 32))[0].toDoubleArray();
        assertArrayEquals(expected(2, 2, 16, 16, 0.5, 32, 32, new double[][] {MIN, WIDE, TALL, MAX}, VARIANCE, false),
                out, TOL);
    }

    @Test
    void priorBoxClipKeepsCoordinatesInsideTheImage() {
        Node n = priorBox("opset1", ssdAttrs("min_size", "20", "max_size", "", "aspect_ratio", "", "clip", "true"), 1);
        double[] out = run(n, i64(2, 2), i64(32, 32))[0].toDoubleArray();
        assertArrayEquals(expected(2, 2, 16, 16, 0.5, 32, 32, new double[][] {{10, 10}}, VARIANCE, true), out, TOL);
        assertArrayEquals(new double[] {0, 0, 0.5625, 0.5625}, Arrays.copyOf(out, 4), TOL);
    }

    @Test
    void priorBoxWithoutStepSpreadsCentresOverTheImage() {
        Node n = priorBox("opset1", ssdAttrs("step", "0", "max_size", "", "aspect_ratio", "", "variance", "0.5"), 1);
        double[] out = run(n, i64(2, 2), i64(32, 64))[0].toDoubleArray();
        // step 0: centres at (w + 0.5) * 64/2 and (h + 0.5) * 32/2, whatever the offset
        assertArrayEquals(expected(2, 2, 32, 16, 0.5, 64, 32, new double[][] {MIN}, new double[] {0.5}, false), out,
                TOL);
    }

    @Test
    void priorBoxFixedSizeWithDensityTilesTheCell() {
        Node n = priorBox("opset1", attrs("fixed_size", "8", "density", "2", "step", "16", "offset", "0.5", "variance",
                "0.1,0.1,0.2,0.2"), 4);
        double[] out = run(n, i64(2, 2), i64(32, 32))[0].toDoubleArray();
        // cell (0,0): centre 8, shift 8/2 = 4, sub-centres 8 - 4 + 2 + {0, 4} = 6, 10, half size 4; rows outer
        double[] cell0 = {
            2, 2, 10, 10,
            6, 2, 14, 10,
            2, 6, 10, 14,
            6, 6, 14, 14
        };
        for (int i = 0; i < cell0.length; i++) {
            cell0[i] /= 32;
        }
        assertArrayEquals(cell0, Arrays.copyOf(out, 16), TOL);
    }

    @Test
    void priorBoxCountsFaceDetectionAdasPriors() {
        // attributes of face-detection-adas-0001's first PriorBox: ratios 2, 3 flipped -> 1 + 4 ratios + max = 6
        Map<String, String> a = attrs("min_size", "16", "max_size", "38.4", "aspect_ratio", "2, 3", "density", "",
                "fixed_ratio", "", "fixed_size", "", "clip", "false", "flip", "true", "step", "16", "offset", "0.5",
                "variance", "0.1, 0.1, 0.2, 0.2", "scale_all_sizes", "true");
        double[] out = run(node("PriorBox", "opset1", a, shape(2, 4 * 24 * 42 * 6)), i64(24, 42), i64(384, 672))[0]
                .toDoubleArray();
        // last box of the grid: cell (23, 41), ratio 1/3: half (16 * sqrt(1/3) / 2, 16 / sqrt(1/3) / 2)
        double cx = 41.5 * 16;
        double cy = 23.5 * 16;
        double hw = 8 * Math.sqrt(1.0 / 3);
        double hh = 8 / Math.sqrt(1.0 / 3);
        int last = 4 * 24 * 42 * 6 - 4;
        assertArrayEquals(new double[] {(cx - hw) / 672, (cy - hh) / 384, (cx + hw) / 672, (cy + hh) / 384},
                Arrays.copyOfRange(out, last, last + 4), TOL);
    }

    @Test
    void priorBoxRejectsAnImageSizeInputWithTheWrongLength() {
        IrException e = assertThrows(IrException.class,
                () -> run(priorBox("opset1", ssdAttrs(), 4), i64(2, 2), i64(1, 3, 32, 32)));
        assertTrue(e.getMessage().contains("type=PriorBox") && e.getMessage().contains("image_size"), e.getMessage());
    }

    private static Node clustered(Map<String, String> attrs) {
        return node("PriorBoxClustered", "opset1", attrs, shape(2, 4 * 2 * 2 * 2));
    }

    @Test
    void priorBoxClusteredUsesStepWAndStepH() {
        Node n = clustered(attrs("width", "8, 16", "height", "4, 12", "clip", "false", "step", "0", "step_w", "16",
                "step_h", "8", "offset", "0.5", "variance", "0.1, 0.1, 0.2, 0.2"));
        double[] out = run(n, i64(2, 2), i64(32, 64))[0].toDoubleArray();
        double[][] halves = {{4, 2}, {8, 6}};
        assertArrayEquals(expected(2, 2, 16, 8, 0.5, 64, 32, halves, VARIANCE, false), out, TOL);
        // cell (0,0), centre (8, 4): prior 1 = ((8-8)/64, (4-6)/32, (8+8)/64, (4+6)/32)
        assertArrayEquals(new double[] {0, -0.0625, 0.25, 0.3125}, Arrays.copyOfRange(out, 4, 8), TOL);
    }

    @Test
    void priorBoxClusteredFallsBackToStepAndClipsByDefault() {
        // the older retail IRs write only "step"; clip is true unless written
        Node n = clustered(attrs("width", "8, 16", "height", "4, 12", "step", "16", "offset", "0.5", "variance",
                "0.1"));
        double[] out = run(n, i64(2, 2), i64(32, 64))[0].toDoubleArray();
        double[][] halves = {{4, 2}, {8, 6}};
        assertArrayEquals(expected(2, 2, 16, 16, 0.5, 64, 32, halves, new double[] {0.1}, true), out, TOL);
    }

    @Test
    void priorBoxClusteredWithoutAnyStepDividesTheImageByTheGrid() {
        Node n = clustered(attrs("width", "8, 16", "height", "4, 12", "clip", "0", "offset", "0.5"));
        double[] out = run(n, i64(2, 2), i64(32, 64))[0].toDoubleArray();
        double[][] halves = {{4, 2}, {8, 6}};
        // no variance attribute: OpenVINO uses 0.1
        assertArrayEquals(expected(2, 2, 32, 16, 0.5, 64, 32, halves, new double[] {0.1}, false), out, TOL);
    }

    @Test
    void priorBoxClusteredRejectsWidthsAndHeightsOfDifferentLength() {
        Node n = clustered(attrs("width", "8, 16", "height", "4", "offset", "0.5"));
        IrException e = assertThrows(IrException.class, () -> run(n, i64(2, 2), i64(32, 64)));
        assertTrue(e.getMessage().contains("type=PriorBoxClustered"), e.getMessage());
    }
}
