package dev.lowbit.quantize;

/**
 * The calibrated range [low, high] of one activation, and the FakeQuantize (levels 256) interval it
 * becomes. Immutable, thread-safe.
 */
public record ActivationRange(float low, float high) {
    public static final int LEVELS = 256;

    public ActivationRange {
        if (!(low <= high) || Float.isInfinite(low) || Float.isInfinite(high)) {
            throw new IllegalArgumentException("bad activation range [" + low + ", " + high + "]");
        }
    }

    /** True when no negative value was observed (e.g. after ReLU): the grid is unsigned, [0, high]. */
    public boolean unsigned() {
        return low >= 0;
    }

    /**
     * The FakeQuantize interval (input and output ranges are equal), chosen so that OpenVINO's
     * low-precision transformations see a plain u8 or i8 grid:
     * <ul>
     *   <li>no negative values: [0, high], i.e. u8 with zero point 0 and scale high/255;</li>
     *   <li>otherwise symmetric i8: [-a*128/127, a] with a = max(|low|, |high|), i.e. scale a/127 and levels
     *       -128..127, the interval ratio -128/127 that LPT recognizes as signed without zero point.</li>
     * </ul>
     * A range that never moved (all observed values equal to 0) gets [0, 1] or [-128/127, 1]: any interval
     * represents 0 exactly.
     */
    public float[] fakeQuantizeInterval() {
        if (unsigned()) {
            float hi = high > 0 ? high : 1f;
            return new float[] {0f, hi};
        }
        float a = Math.max(Math.abs(low), Math.abs(high));
        return new float[] {-a * 128f / 127f, a};
    }
}
