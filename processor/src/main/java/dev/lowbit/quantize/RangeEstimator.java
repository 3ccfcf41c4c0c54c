package dev.lowbit.quantize;

import java.util.Arrays;

/**
 * How the range of an activation is estimated from the values observed on the calibration inputs:
 * {@link #minMax()} takes the smallest and largest value seen (OpenVINO POT's "min"/"max" estimators; no
 * value is ever clipped), {@link #percentile(double)} drops the given share of outliers at each end.
 * Immutable, thread-safe.
 */
public record RangeEstimator(double percentile) {
    public RangeEstimator {
        if (!(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
        }
    }

    public static RangeEstimator minMax() {
        return new RangeEstimator(100);
    }

    /** The {@code p}-th and {@code (100-p)}-th percentiles (nearest rank), e.g. 99.99. */
    public static RangeEstimator percentile(double p) {
        return new RangeEstimator(p);
    }

    /** The estimated [low, high] of {@code values} (all observed values of one tensor, any order). */
    public ActivationRange estimate(float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values observed");
        }
        if (percentile == 100) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : values) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            return new ActivationRange(lo, hi);
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        int hiRank = (int) Math.ceil(percentile / 100 * n) - 1;
        int loRank = n - 1 - hiRank;
        return new ActivationRange(sorted[Math.max(0, loRank)], sorted[Math.min(n - 1, hiRank)]);
    }

    @Override
    public String toString() {
        return percentile == 100 ? "min/max" : "percentile " + percentile;
    }
}
