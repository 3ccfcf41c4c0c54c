package dev.lowbit.runtime.fp32;

/**
 * The scratch size of a {@link TiledConvolution}, in a class of its own without vector types: the annotation
 * processor sizes the generated class's shared float scratch with it at build time, inside javac, where the
 * incubator vector module is not loaded. Must agree with the constructor's layout (its assertion and
 * TiledConvolutionTest check that).
 */
public final class TiledLayout {
    /** Output planes of at most this many pixels run on {@code SmallPlaneConvolution} (vectors along channels). */
    public static final int SMALL_PLANE_PIXELS = 16;
    /** ... when they have at least this many output channels (fewer would leave most channel lanes idle). */
    public static final int SMALL_PLANE_MIN_CHANNELS = 32;
    /** Channel rounding of the small-plane products: a block of 4 vectors of at most 16 floats. */
    private static final int SMALL_PLANE_BLOCK = 64;

    private TiledLayout() {}

    /**
     * Whether a strided layer reads its input split by stride phase (the tiles then see constant tap shifts, as
     * for stride 1) rather than gathered per tap: no dilation, and a kernel at least as large as the stride in
     * both directions (a 1x1 stride-2 layer reads one phase of four, so gathering its one tap is smaller).
     */
    public static boolean phased(int kh, int kw, int sh, int sw, int dh, int dw) {
        return (sh != 1 || sw != 1) && dh == 1 && dw == 1 && kh >= sh && kw >= sw;
    }

    /** Whether the layer runs on {@code SmallPlaneConvolution}: one group, a tiny output plane, enough channels. */
    public static boolean smallPlane(int groups, int oh, int ow, int oc) {
        return groups == 1 && oh * ow <= SMALL_PLANE_PIXELS && oc >= SMALL_PLANE_MIN_CHANNELS;
    }

    /** Patch rows of a small-plane layer: its pixels rounded up to whole 4-pixel tiles. */
    public static int smallPlaneRows(int oh, int ow) {
        return (oh * ow + 3) / 4 * 4;
    }

    /** Scratch of a small-plane layer: the patch rows, then the products pixel-major (channels rounded up). */
    public static int smallPlaneScratch(int c, int oc, int oh, int ow, int kh, int kw) {
        int blocks = (oc + SMALL_PLANE_BLOCK - 1) / SMALL_PLANE_BLOCK;
        return smallPlaneRows(oh, ow) * (c * kh * kw + blocks * SMALL_PLANE_BLOCK);
    }

    /**
     * Stride 1: a zero-padded copy of one group's input planes when there are pads, plus the wide output of one
     * group when the wide rows are longer than the output's; other strides: the gathered taps of one group.
     */
    public static int scratchFloats(int c, int h, int wd, int oc, int oh, int ow, int kh, int kw, int sh, int sw,
            int ph, int pw, int dh, int dw, int groups) {
        if (smallPlane(groups, oh, ow, oc)) {
            return smallPlaneScratch(c, oc, oh, ow, kh, kw);
        }
        int icg = c / groups;
        if (phased(kh, kw, sh, sw, dh, dw)) {
            int hq = oh + (kh - 1) / sh, wq = ow + (kw - 1) / sw;
            return icg * sh * sw * hq * wq + (wq != ow ? oc / groups * ((oh - 1) * wq + ow) : 0);
        }
        if (sh != 1 || sw != 1) {
            return icg * kh * kw * oh * ow;
        }
        int hp = Math.max(h + ph, oh + (kh - 1) * dh);
        int wp = Math.max(wd + pw, ow + (kw - 1) * dw);
        boolean padCopy = hp != h || wp != wd || ph != 0 || pw != 0;
        int q = (oh - 1) * wp + ow;
        return (padCopy ? icg * hp * wp : 0) + (wp != ow ? oc / groups * q : 0);
    }
}
