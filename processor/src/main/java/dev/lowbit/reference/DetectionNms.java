package dev.lowbit.reference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The selection half of DetectionOutput, as OpenVINO's detection_output.hpp: Caffe-style per-class NMS
 * (scores above confidence_threshold, best top_k, greedy suppression of overlaps above nms_threshold),
 * MXNet-style NMS (decrease_label_id: each prior votes for its best class), and keep_top_k across classes.
 * Results map a class label to the kept prior indices in output order, labels ascending. Immutable,
 * thread-safe.
 */
final class DetectionNms {
    /** A candidate detection: its score, class label and prior index. */
    record Candidate(float score, int label, int prior) {}

    /** Score descending, then prior index ascending (OpenVINO's order), then label for a deterministic tie. */
    static final Comparator<Candidate> ORDER = (a, b) -> {
        if (a.score != b.score) {
            return a.score > b.score ? -1 : 1;
        }
        if (a.prior != b.prior) {
            return Integer.compare(a.prior, b.prior);
        }
        return Integer.compare(a.label, b.label);
    };

    private final DetectionOutputAttributes attrs;

    DetectionNms(DetectionOutputAttributes attrs) {
        this.attrs = attrs;
    }

    /**
     * Caffe style: for every class except the background, NMS over that class's boxes.
     *
     * @param boxes  decoded boxes per location label (index 0 when share_location), null for skipped labels
     * @param scores scores[class][prior]
     */
    Map<Integer, List<Integer>> perClass(DetectionBox[][] boxes, float[][] scores) {
        Map<Integer, List<Integer>> kept = new TreeMap<>();
        for (int c = 0; c < scores.length; c++) {
            if (c == attrs.backgroundLabelId()) {
                continue;
            }
            DetectionBox[] classBoxes = boxes[attrs.shareLocation() ? 0 : c];
            List<Candidate> candidates = new ArrayList<>();
            for (int p = 0; p < scores[c].length; p++) {
                if (scores[c][p] > attrs.confidenceThreshold()) {
                    candidates.add(new Candidate(scores[c][p], c, p));
                }
            }
            candidates.sort(ORDER);
            if (attrs.topK() > -1 && attrs.topK() < candidates.size()) {
                candidates = candidates.subList(0, attrs.topK());
            }
            List<Integer> indices = new ArrayList<>();
            for (Candidate cand : candidates) {
                if (!overlapsKept(classBoxes, cand.prior, indices)) {
                    indices.add(cand.prior);
                }
            }
            kept.put(c, indices);
        }
        return kept;
    }

    /** MXNet style: each prior's best non-background class (from class 1 on) competes in one NMS. */
    Map<Integer, List<Integer>> bestClassPerPrior(DetectionBox[][] boxes, float[][] scores) {
        List<Candidate> candidates = new ArrayList<>();
        int priors = scores[0].length;
        for (int p = 0; p < priors; p++) {
            float best = -1;
            int bestClass = 0;
            for (int c = 1; c < scores.length; c++) {
                if (attrs.backgroundLabelId() > -1 && c == attrs.backgroundLabelId()) {
                    continue;
                }
                if (scores[c][p] > best) {
                    best = scores[c][p];
                    bestClass = c;
                }
            }
            if (bestClass > 0 && best >= attrs.confidenceThreshold()) {
                candidates.add(new Candidate(best, bestClass, p));
            }
        }
        candidates.sort(ORDER);
        if (attrs.topK() != -1 && candidates.size() > attrs.topK()) {
            candidates = candidates.subList(0, attrs.topK());
        }
        Map<Integer, List<Integer>> kept = new TreeMap<>();
        for (Candidate cand : candidates) {
            List<Integer> indices = kept.computeIfAbsent(cand.label, k -> new ArrayList<>());
            DetectionBox[] classBoxes = boxes[attrs.shareLocation() ? 0 : cand.label];
            if (!overlapsKept(classBoxes, cand.prior, indices)) {
                indices.add(cand.prior);
            }
        }
        return kept;
    }

    /** If more than keep_top_k detections survived, the keep_top_k best across all classes. */
    Map<Integer, List<Integer>> keepTopK(Map<Integer, List<Integer>> kept, float[][] scores) {
        int total = 0;
        for (List<Integer> l : kept.values()) {
            total += l.size();
        }
        if (attrs.keepTopK() <= -1 || total <= attrs.keepTopK()) {
            return kept;
        }
        List<Candidate> all = new ArrayList<>();
        kept.forEach((label, priors) -> {
            for (int p : priors) {
                all.add(new Candidate(scores[label][p], label, p));
            }
        });
        all.sort(ORDER);
        Map<Integer, List<Integer>> top = new TreeMap<>();
        for (Candidate c : all.subList(0, attrs.keepTopK())) {
            top.computeIfAbsent(c.label, k -> new ArrayList<>()).add(c.prior);
        }
        return top;
    }

    private boolean overlapsKept(DetectionBox[] boxes, int prior, List<Integer> keptPriors) {
        for (int k : keptPriors) {
            if (boxes[prior].jaccardOverlap(boxes[k]) > attrs.nmsThreshold()) {
                return true;
            }
        }
        return false;
    }
}
