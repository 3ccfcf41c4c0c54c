package dev.lowbit.quantize;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.reference.ReferenceEvaluator;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Observes chosen activations of an fp32 graph on calibration inputs, by running the reference evaluator
 * ({@link ReferenceEvaluator#runAll}) on each input, and estimates their ranges. Not thread-safe (used by
 * one quantization run).
 */
public final class ActivationCalibrator {
    private final Graph graph;
    private final RangeEstimator estimator;

    public ActivationCalibrator(Graph graph, RangeEstimator estimator) {
        this.graph = graph;
        this.estimator = estimator;
    }

    /** The estimated range of each of {@code values} over all {@code inputs} (by Parameter name). */
    public Map<ValueRef, ActivationRange> calibrate(Collection<ValueRef> values, List<Map<String, Tensor>> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one input");
        }
        Map<ValueRef, Observation> seen = new LinkedHashMap<>();
        for (ValueRef v : values) {
            seen.put(v, new Observation(estimator.percentile() == 100));
        }
        ReferenceEvaluator evaluator = new ReferenceEvaluator(graph);
        for (Map<String, Tensor> in : inputs) {
            Map<ValueRef, Tensor> all = evaluator.runAll(in);
            seen.forEach((v, obs) -> obs.add(all.get(v)));
        }
        Map<ValueRef, ActivationRange> ranges = new LinkedHashMap<>();
        seen.forEach((v, obs) -> ranges.put(v, obs.range(estimator)));
        return ranges;
    }

    /** Either a running min/max, or all values when a percentile needs them. */
    private static final class Observation {
        private final boolean minMaxOnly;
        private float low = Float.POSITIVE_INFINITY;
        private float high = Float.NEGATIVE_INFINITY;
        private float[] all = new float[0];
        private int count;

        Observation(boolean minMaxOnly) {
            this.minMaxOnly = minMaxOnly;
        }

        void add(Tensor t) {
            for (int i = 0; i < t.size(); i++) {
                float v = (float) t.get(i);
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException("calibration observed a non-finite activation " + v);
                }
                low = Math.min(low, v);
                high = Math.max(high, v);
            }
            if (!minMaxOnly) {
                if (count + t.size() > all.length) {
                    all = Arrays.copyOf(all, Math.max(2 * all.length, count + t.size()));
                }
                for (int i = 0; i < t.size(); i++) {
                    all[count++] = (float) t.get(i);
                }
            }
        }

        ActivationRange range(RangeEstimator estimator) {
            return minMaxOnly ? new ActivationRange(low, high) : estimator.estimate(Arrays.copyOf(all, count));
        }
    }
}
