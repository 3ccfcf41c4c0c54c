package dev.lowbit.runtime.fp32;

import java.util.Arrays;

/**
 * SSD DetectionOutput (opset1/opset8) for shared locations and CENTER_SIZE or CORNER box coding, following
 * OpenVINO's reference implementation: decode boxes against the priors, per class keep the top_k scores
 * above the confidence threshold (stable order), greedy NMS, then keep_top_k over all classes. Output rows
 * are [image, label, score, xmin, ymin, xmax, ymax], ordered by image, then label, then descending score;
 * after the last detection of the batch comes a row with image -1, the rest is zero.
 *
 * <p>An instance owns preallocated scratch sized for its model at construction, so a call allocates
 * nothing; it is therefore not thread-safe (one per model instance).
 */
public final class DetectionOutput {
    /** Baked attributes of one DetectionOutput layer. Immutable, thread-safe. */
    public record Attributes(int numClasses, int backgroundLabelId, int topK, int keepTopK, float nmsThreshold,
            float confidenceThreshold, boolean centerSize, boolean varianceEncodedInTarget, boolean normalized,
            boolean clipBeforeNms, boolean clipAfterNms, int inputWidth, int inputHeight) {}

    private final Attributes a;
    private final int batch;
    private final int priors;
    private final int priorBatchStride;
    private final int priorSize; // 5 values per prior (a leading batch index) when not normalized
    private final float[] boxes; // decoded [prior][4] of the current image
    private final float[][] scores; // [class][prior] of the current image
    private final long[] candidates; // descendingKey(score, prior) of one class's candidates; the prior in the low int
    private final int[][] kept; // per class: kept prior indices in NMS order
    private final int[] keptCount;
    private final long[] all; // (label, index) pairs for keep_top_k, packed
    private final float[] allScore;

    /**
     * @param priorsShape1 dim 1 of the priors input: 2 (variances follow the boxes) unless variance is encoded in the target
     * @param priorBatch   dim 0 of the priors input (1: shared by every image)
     */
    public DetectionOutput(Attributes attributes, int batch, int priors, int priorsShape1, int priorBatch) {
        this.a = attributes;
        this.batch = batch;
        this.priors = priors;
        this.priorSize = attributes.normalized() ? 4 : 5;
        this.priorBatchStride = priorBatch == 1 ? 0 : priorsShape1 * priors * priorSize;
        this.boxes = new float[priors * 4];
        this.scores = new float[a.numClasses()][priors];
        this.candidates = new long[priors];
        this.kept = new int[a.numClasses()][priors];
        this.keptCount = new int[a.numClasses()];
        this.all = new long[a.numClasses() * priors];
        this.allScore = new float[a.numClasses() * priors];
    }

    /**
     * Runs the layer: loc [batch][priors*4], conf [batch][priors*classes], prior boxes; y as described above,
     * {@code rows} rows of 7 (the declared output shape).
     */
    public void run(float[] loc, float[] conf, float[] prior, float[] y, int rows) {
        Arrays.fill(y, 0, rows * 7, 0f);
        int row = 0;
        for (int img = 0; img < batch; img++) {
            decode(loc, img * priors * 4, prior, img * priorBatchStride);
            for (int p = 0; p < priors; p++) {
                for (int c = 0; c < a.numClasses(); c++) {
                    scores[c][p] = conf[(img * priors + p) * a.numClasses() + c];
                }
            }
            int total = 0;
            for (int c = 0; c < a.numClasses(); c++) {
                keptCount[c] = c == a.backgroundLabelId() ? 0 : nms(c);
                total += keptCount[c];
            }
            if (a.keepTopK() > -1 && total > a.keepTopK()) {
                row = writeKeepTopK(img, y, row);
            } else {
                for (int c = 0; c < a.numClasses(); c++) {
                    for (int i = 0; i < keptCount[c]; i++) {
                        row = writeRow(y, row, img, c, kept[c][i]);
                    }
                }
            }
        }
        if (row < rows) {
            y[row * 7] = -1f;
        }
    }

    private void decode(float[] loc, int locBase, float[] prior, int priorBase) {
        int varBase = priorBase + priors * priorSize;
        int skip = a.normalized() ? 0 : 1;
        for (int p = 0; p < priors; p++) {
            int at = priorBase + p * priorSize + skip;
            float pxmin = prior[at];
            float pymin = prior[at + 1];
            float pxmax = prior[at + 2];
            float pymax = prior[at + 3];
            if (!a.normalized()) {
                pxmin /= a.inputWidth();
                pymin /= a.inputHeight();
                pxmax /= a.inputWidth();
                pymax /= a.inputHeight();
            }
            float v0 = 1f, v1 = 1f, v2 = 1f, v3 = 1f; // variance encoded in the target: offsets used as they are
            if (!a.varianceEncodedInTarget()) {
                // variances have a stride of 4 even when a prior has 5 values (as OpenVINO reads them)
                v0 = prior[varBase + p * 4];
                v1 = prior[varBase + p * 4 + 1];
                v2 = prior[varBase + p * 4 + 2];
                v3 = prior[varBase + p * 4 + 3];
            }
            float lx = loc[locBase + p * 4];
            float ly = loc[locBase + p * 4 + 1];
            float lw = loc[locBase + p * 4 + 2];
            float lh = loc[locBase + p * 4 + 3];
            float xmin, ymin, xmax, ymax;
            if (a.centerSize()) {
                float pw = pxmax - pxmin;
                float ph = pymax - pymin;
                float pcx = (pxmin + pxmax) / 2f;
                float pcy = (pymin + pymax) / 2f;
                float cx = v0 * lx * pw + pcx;
                float cy = v1 * ly * ph + pcy;
                float w = (float) Math.exp(v2 * lw) * pw;
                float h = (float) Math.exp(v3 * lh) * ph;
                xmin = cx - w / 2f;
                ymin = cy - h / 2f;
                xmax = cx + w / 2f;
                ymax = cy + h / 2f;
            } else {
                xmin = pxmin + v0 * lx;
                ymin = pymin + v1 * ly;
                xmax = pxmax + v2 * lw;
                ymax = pymax + v3 * lh;
            }
            if (a.clipBeforeNms()) {
                xmin = clip(xmin);
                ymin = clip(ymin);
                xmax = clip(xmax);
                ymax = clip(ymax);
            }
            boxes[p * 4] = xmin;
            boxes[p * 4 + 1] = ymin;
            boxes[p * 4 + 2] = xmax;
            boxes[p * 4 + 3] = ymax;
        }
    }

    /** Candidates of class c above the threshold, best top_k by stable descending score, then greedy NMS. */
    private int nms(int c) {
        float[] s = scores[c];
        int n = 0;
        for (int p = 0; p < priors; p++) {
            if (s[p] > a.confidenceThreshold()) {
                candidates[n++] = descendingKey(s[p], p);
            }
        }
        // ascending keys = descending score, equal scores in index order: the reference's stable_sort
        heapSort(candidates, n);
        if (a.topK() > -1 && n > a.topK()) {
            n = a.topK();
        }
        int k = 0;
        for (int i = 0; i < n; i++) {
            int idx = (int) candidates[i];
            boolean keep = true;
            for (int j = 0; j < k && keep; j++) {
                keep = overlap(idx, kept[c][j]) <= a.nmsThreshold();
            }
            if (keep) {
                kept[c][k++] = idx;
            }
        }
        return k;
    }

    /**
     * A key whose ascending order is descending {@code score}, then ascending {@code index}. Scores here are above
     * the confidence threshold, so not NaN; a positive float's bits grow with its value, and a negative one's
     * shrink, which the sign flip below corrects, so the key order is the float order exactly.
     */
    static long descendingKey(float score, int index) {
        int bits = Float.floatToRawIntBits(score);
        int ascending = bits >= 0 ? bits : bits ^ 0x7FFFFFFF; // monotone in the float value, as a signed int
        return ((long) ~ascending << 32) | index;
    }

    /**
     * Sorts {@code a[0, n)} ascending in place (heapsort: no allocation, n log n). Why: the candidates were kept
     * sorted by insertion, n^2 / 4 moves, and an INT8 face-detection model passes the threshold with a few
     * thousand priors (its DetectionOutput took 0.96 ms against 0.48 for the FP32 model's, per-layer profile).
     */
    static void heapSort(long[] a, int n) {
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDown(a, i, n);
        }
        for (int end = n - 1; end > 0; end--) {
            long t = a[0];
            a[0] = a[end];
            a[end] = t;
            siftDown(a, 0, end);
        }
    }

    private static void siftDown(long[] a, int i, int n) {
        long v = a[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && a[child + 1] > a[child]) {
                child++;
            }
            if (a[child] <= v) {
                break;
            }
            a[i] = a[child];
            i = child;
        }
        a[i] = v;
    }

    /** Intersection over union in float, in the reference's order; 0 unless the intersection has positive sides. */
    private float overlap(int i, int j) {
        float ixmin = boxes[i * 4], iymin = boxes[i * 4 + 1], ixmax = boxes[i * 4 + 2], iymax = boxes[i * 4 + 3];
        float jxmin = boxes[j * 4], jymin = boxes[j * 4 + 1], jxmax = boxes[j * 4 + 2], jymax = boxes[j * 4 + 3];
        if (jxmin > ixmax || jxmax < ixmin || jymin > iymax || jymax < iymin) {
            return 0f;
        }
        float w = Math.min(ixmax, jxmax) - Math.max(ixmin, jxmin);
        float h = Math.min(iymax, jymax) - Math.max(iymin, jymin);
        if (!(w > 0 && h > 0)) {
            return 0f;
        }
        float inter = w * h;
        return inter / (size(ixmin, iymin, ixmax, iymax) + size(jxmin, jymin, jxmax, jymax) - inter);
    }

    private float size(float xmin, float ymin, float xmax, float ymax) {
        if (xmax < xmin || ymax < ymin) {
            return 0f;
        }
        float w = xmax - xmin;
        float h = ymax - ymin;
        return w * h; // boxes are normalized by now (divided by the input size when the priors were not)
    }

    /** More detections than keep_top_k: keep the best keep_top_k over all classes, written per label by score. */
    private int writeKeepTopK(int img, float[] y, int row) {
        int n = 0;
        for (int c = 0; c < a.numClasses(); c++) {
            for (int i = 0; i < keptCount[c]; i++) {
                int idx = kept[c][i];
                float sc = scores[c][idx];
                int j = n++;
                // score descending, then prior ascending, then label: the reference's order, also for ties
                while (j > 0 && (allScore[j - 1] < sc || (allScore[j - 1] == sc && (int) all[j - 1] > idx))) {
                    all[j] = all[j - 1];
                    allScore[j] = allScore[j - 1];
                    j--;
                }
                all[j] = ((long) c << 32) | idx;
                allScore[j] = sc;
            }
        }
        n = a.keepTopK();
        for (int c = 0; c < a.numClasses(); c++) {
            for (int i = 0; i < n; i++) {
                if ((int) (all[i] >>> 32) == c) {
                    row = writeRow(y, row, img, c, (int) all[i]);
                }
            }
        }
        return row;
    }

    private int writeRow(float[] y, int row, int img, int c, int idx) {
        int o = row * 7;
        float xmin = boxes[idx * 4], ymin = boxes[idx * 4 + 1], xmax = boxes[idx * 4 + 2], ymax = boxes[idx * 4 + 3];
        if (a.clipAfterNms()) {
            xmin = clip(xmin);
            ymin = clip(ymin);
            xmax = clip(xmax);
            ymax = clip(ymax);
        }
        y[o] = img;
        y[o + 1] = c;
        y[o + 2] = scores[c][idx];
        y[o + 3] = xmin;
        y[o + 4] = ymin;
        y[o + 5] = xmax;
        y[o + 6] = ymax;
        return row + 1;
    }

    private static float clip(float v) {
        return Math.max(0f, Math.min(1f, v));
    }
}
