package dev.lowbit.runtime.int8;

/**
 * Which int8 convolutions run on {@link NarrowConvolution}. Kept apart from it because the processor asks at build
 * time, inside javac, where {@code jdk.incubator.vector} is not loaded (NarrowConvolution holds an f32 tiled
 * convolution with Vector API fields). Stateless; thread-safe.
 */
public final class NarrowLayout {
    /** Longest reduction kept exact: 512 * 255 * 128 < 2^24. */
    public static final int MAX_REDUCTION = 512;
    /**
     * Widest output taken. Measured (one JVM, 2026-12-01, int8 kernel on gathered patches vs this path):
     * 360x640 3x3 1 -> 4 9.2 vs 2.4 ms, 1080x1920 3x3 4 -> 1 92.6 vs 14.4 ms; but 1x1 32 -> 4 148 vs 173 us and
     * 32 -> 8 128 vs 222 us, 3x3 8 -> 32 399 vs 556 us: the int8 kernels win once a quarter of their 16 lanes is
     * used or the kernel is 1x1 (the pointwise path), so only 3x3-and-larger layers of at most 4 outputs come here.
     */
    public static final int MAX_OUT_CHANNELS = 4;

    private NarrowLayout() {
    }

    /**
     * One group, a kernel larger than 1x1, at most {@value #MAX_OUT_CHANNELS} outputs, a reduction of at most
     * {@value #MAX_REDUCTION} terms.
     */
    public static boolean takes(ConvGeometry g) {
        return g.groups() == 1 && g.kernelH() * g.kernelW() > 1 && g.outChannels() <= MAX_OUT_CHANNELS
                && g.inChannels() * g.kernelH() * g.kernelW() <= MAX_REDUCTION;
    }
}
