package dev.lowbit.runtime.fp32;

/**
 * The scratch size of a {@link TiledConvolution}, in a class of its own without vector types: the annotation
 * processor sizes the generated class's shared float scratch with it at build time, inside javac, where the
 * incubator vector module is not loaded. Must agree with the constructor's layout (its assertion and
 * TiledConvolutionTest check that).
 */
public final class TiledLayout {
    private TiledLayout() {}

    /**
     * Stride 1: a zero-padded copy of one group's input planes when there are pads, plus the wide output of one
     * group when the wide rows are longer than the output's; other strides: the gathered taps of one group.
     */
    public static int scratchFloats(int c, int h, int wd, int oc, int oh, int ow, int kh, int kw, int sh, int sw,
            int ph, int pw, int dh, int dw, int groups) {
        int icg = c / groups;
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
