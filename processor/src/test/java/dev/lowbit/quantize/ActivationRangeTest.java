package dev.lowbit.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ActivationRangeTest {
    @Test
    void nonNegativeActivationsGetAnUnsignedIntervalFromZero() {
        ActivationRange r = RangeEstimator.minMax().estimate(new float[] {0.5f, 0f, 3.25f, 1f});
        assertEquals(new ActivationRange(0f, 3.25f), r);
        assertArrayEquals(new float[] {0f, 3.25f}, r.fakeQuantizeInterval());
    }

    @Test
    void signedActivationsGetTheSymmetricI8Interval() {
        ActivationRange r = RangeEstimator.minMax().estimate(new float[] {-0.5f, 2.54f, 1f});
        float[] i = r.fakeQuantizeInterval();
        assertEquals(2.54f, i[1]);
        assertEquals(-2.54f * 128 / 127, i[0]);
        // scale = (high - low) / 255 = a / 127, so level 128 (zero point) maps to 0.
        double scale = (i[1] - i[0]) / 255.0;
        assertEquals(2.54 / 127, scale, 1e-7);
        assertEquals(0.0, i[0] + 128 * scale, 1e-6);
    }

    @Test
    void percentileDropsTheOutliersAtBothEnds() {
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        v[999] = 1e6f;
        v[0] = -1e6f;
        // nearest rank: ceil(0.99 * 1000) = 990th smallest value = 989; low mirrors it: 10th = 10.
        assertEquals(new ActivationRange(10f, 989f), RangeEstimator.percentile(99).estimate(v));
        assertEquals(new ActivationRange(-1e6f, 1e6f), RangeEstimator.minMax().estimate(v));
    }

    @Test
    void rejectsAPercentileBelowTheMedian() {
        assertThrows(IllegalArgumentException.class, () -> RangeEstimator.percentile(40));
    }
}
