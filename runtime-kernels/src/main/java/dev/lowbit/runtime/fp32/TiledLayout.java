package dev.lowbit.runtime.fp32;

/**
 * The scratch size of a {@link TiledConvolution}, in a class of its own without vector types: the annotation
 * processor sizes the generated class's shared float scratch with it at build time, inside javac, where the
 * incubator vector module is not loaded. Must agree with the constructor's layout (its assertion and
 * TiledConvolutionTest check that). Stateless, thread-safe.
 */
public final class TiledLayout {
    /**
     * Output planes of at most this many pixels run on {@code SmallPlaneConvolution} (vectors along channels) when
     * they have at least {@link #SMALL_PLANE_MIN_CHANNELS} output channels; up to {@link #SMALL_PLANE_WIDE_PIXELS}
     * pixels ({@link #SMALL_PLANE_WIDE_PIXELS_1X1} for 1x1 kernels) when they have at least
     * {@link #SMALL_PLANE_WIDE_MIN_CHANNELS}. Measured by hand (one JVM, same layer both ways,
     * 2026-12-01): 3x3 layers with 64-256 outputs 1.1-2.1x faster on planes of 5x5 to 10x10 (5x5 128 -> 128:
     * 45-54 vs 94-98 us), 0.9x at 15x15; 32 outputs 0.7x at 10x10 (half of each 64-channel block idle); 1x1
     * layers 6x faster at 5x5 but 0.8x at 9x9 (their pixel tiles waste no lanes).
     */
    public static final int SMALL_PLANE_PIXELS = 16;
    /** At least this many output channels for the small-plane path. */
    public static final int SMALL_PLANE_MIN_CHANNELS = 32;
    /** The larger planes of the small-plane path, for layers of at least {@link #SMALL_PLANE_WIDE_MIN_CHANNELS} outputs. */
    public static final int SMALL_PLANE_WIDE_PIXELS = 100;
    /** ... and for those of them with a 1x1 kernel. */
    public static final int SMALL_PLANE_WIDE_PIXELS_1X1 = 36;
    /** Output channels a layer needs for the larger planes. */
    public static final int SMALL_PLANE_WIDE_MIN_CHANNELS = 64;
    /** Channel rounding of the small-plane products: a block of 4 vectors of at most 16 floats. */
    private static final int SMALL_PLANE_BLOCK = 64;

    /** Fewest output channels of an f32 Winograd layer. */
    public static final int WINOGRAD_MIN_OUTPUT_CHANNELS = 32;
    /**
     * Fewest input channels of an f32 Winograd layer. Same layer, same JVM, Winograd / direct tiles (2026-12-02,
     * random weights, by hand, median of 15 rounds): 16 -> 64 at 30x30 75 / 98 us (head-pose FP16's conv2), at 75x75
     * 517 / 576 (face-detection FP32's fire4/expand3x3), at 15x15 19 / 28, at 8x8 6 / 9; 24 -> 64 at
     * 30x30 104 / 142; but 8 -> 64 at 30x30 71 / 51: below 16 inputs the transforms, whose cost per tile does not
     * shrink with the inputs, outweigh the products saved.
     */
    public static final int WINOGRAD_MIN_INPUT_CHANNELS = 16;
    /**
     * Fewest 2x2 output tiles of an f32 Winograd layer. Its transformed weights are 16/9 the direct ones, read once
     * per block of tiles: head-pose FP16's 256 -> 512 layer with a 2x2 output (one tile, 8.4 MB of transformed
     * weights) took 285 us against 179 on the small-plane kernel, while its 128 -> 256 layer at 4x4 (4 tiles) went
     * 93 -> 81 us and its 64 -> 128 layer at 8x8 71 -> 48 us (per-layer profiles, 2026-12-02).
     */
    public static final int WINOGRAD_MIN_TILES = 4;
    /**
     * Cost of a product of F(3x3, 3x3) and F(4x4, 3x3) relative to one of F(2x2, 3x3), in hundredths: their
     * transforms take more operations per position and their transformed weights are 25/16 and 36/16 as many
     * bytes. Chosen to reproduce every preference measured (2026-12-05, by hand): one JVM timing the three tiles
     * alternately on eleven f32 layers of 16-128 channels at 4x4-24x24 (random weights), where F(3x3) won clearly
     * at 5x5, 6x6, 9x9 and 18x18; and, where that harness saw ties (32 -> 64 at 12x12, 16 -> 64 at 30x30), the
     * per-layer profiles of the models, in which F(3x3) was 6-10% slower than F(4x4) on head-pose's 30x30 layer
     * (both paths, three rounds) and no faster on landmarks' 12x12 one. The first weights fitted (1.2 and 1.35, the
     * median ratios of time to products) gave those two to F(3x3). Margins: 2% at 12x12 and 18x18, 4% at 9x9.
     */
    static final int PRODUCT_COST_3X3 = 143;
    static final int PRODUCT_COST_4X4 = 130;

    private TiledLayout() {}

    /**
     * Whether a strided layer reads its input split by stride phase (the tiles then see constant tap shifts, as
     * for stride 1) rather than gathered per tap: no dilation, and a kernel at least as large as the stride in
     * both directions (a 1x1 stride-2 layer reads one phase of four, so gathering its one tap is smaller).
     */
    public static boolean phased(int kh, int kw, int sh, int sw, int dh, int dw) {
        return (sh != 1 || sw != 1) && dh == 1 && dw == 1 && kh >= sh && kw >= sw;
    }

    /**
     * Whether an f32 layer runs as Winograd F(2x2, 3x3) ({@link WinogradTiles}): one group, 3x3, stride 1, no
     * dilation, at least {@link #WINOGRAD_MIN_INPUT_CHANNELS} inputs and {@link #WINOGRAD_MIN_OUTPUT_CHANNELS} outputs,
     * outputs in whole vectors of 16, and at least {@link #WINOGRAD_MIN_TILES} 2x2 tiles.
     */
    public static boolean winograd(int c, int oc, int oh, int ow, int kh, int kw, int sh, int sw, int dh, int dw,
            int groups) {
        return groups == 1 && kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1
                && c >= WINOGRAD_MIN_INPUT_CHANNELS && oc >= WINOGRAD_MIN_OUTPUT_CHANNELS && oc % WinogradGeometry.LANES == 0
                && (oh + 1) / 2 * ((ow + 1) / 2) >= WINOGRAD_MIN_TILES;
    }

    /**
     * The first of {@code n} strided positions v whose input column {@code v * stride + shift} is at least 0 (n if
     * none): where a strided copy (phase planes, gathered taps) stops writing the left padding.
     */
    public static int firstInside(int shift, int stride, int n) {
        return Math.min(n, shift >= 0 ? 0 : (-shift + stride - 1) / stride);
    }

    /**
     * One past the last of those positions whose input column is below {@code width}, at least
     * {@link #firstInside}: positions {@code [firstInside, endInside)} read the input, the others are padding.
     */
    public static int endInside(int shift, int stride, int width, int n) {
        int end = width - shift <= 0 ? 0 : (width - shift + stride - 1) / stride;
        return Math.max(firstInside(shift, stride, n), Math.min(n, end));
    }

    /**
     * The buffers of a layer {@link #winograd} admits: the output tile (2, 3 or 4) whose products, in the
     * microkernel's whole steps of four tiles and weighted by {@link #PRODUCT_COST_3X3} and {@link
     * #PRODUCT_COST_4X4}, cost least; ties to the smaller tile. What it picks, by the measurements behind the weights
     * (time over F(2x2)'s): F(3x3) at 5x5 (0.76), 6x6 (0.76, 0.84), 9x9 (0.79) and 18x18 (0.87; F(4x4) 0.95);
     * F(4x4) at 7x7 (0.85), 8x8 (0.86), 12x12 (0.85; F(3x3) 0.86), 15x15 (0.78), 24x24 (0.71) and 30x30; F(2x2) at
     * 4x4 (F(3x3) 1.62) and 10x10 (F(3x3) 1.05, F(4x4) 1.11), where the larger tiles cover the plane with more waste.
     */
    public static WinogradGeometry winogradGeometry(int c, int h, int wd, int oc, int oh, int ow, int ph, int pw) {
        WinogradGeometry best = null;
        long bestCost = Long.MAX_VALUE;
        for (int tile = 2; tile <= 4; tile++) { // smaller tiles first: they keep ties
            WinogradGeometry g = new WinogradGeometry(c, oc, h, wd, oh, ow, ph, pw, 1, tile);
            long cost = g.steppedProducts() * (tile == 2 ? 100 : tile == 3 ? PRODUCT_COST_3X3 : PRODUCT_COST_4X4);
            if (cost < bestCost) {
                best = g;
                bestCost = cost;
            }
        }
        return best;
    }

    /**
     * Floats of scratch each thread beyond the first needs when the layer runs split ({@link #winograd}: one block of
     * tiles per worker; 0 for the direct tiles, which split within {@link #scratchFloats}).
     */
    public static int workerScratchFloats(int c, int h, int wd, int oc, int oh, int ow, int kh, int kw, int sh,
            int sw, int ph, int pw, int dh, int dw, int groups) {
        return winograd(c, oc, oh, ow, kh, kw, sh, sw, dh, dw, groups)
                ? winogradGeometry(c, h, wd, oc, oh, ow, ph, pw).blockFloats() : 0;
    }

    /** Whether the layer runs on {@code SmallPlaneConvolution}: one group, a small output plane, enough channels. */
    public static boolean smallPlane(int groups, int oh, int ow, int oc, int kh, int kw) {
        int pixels = oh * ow;
        return groups == 1 && (pixels <= SMALL_PLANE_PIXELS && oc >= SMALL_PLANE_MIN_CHANNELS
                || oc >= SMALL_PLANE_WIDE_MIN_CHANNELS
                        && pixels <= (kh * kw > 1 ? SMALL_PLANE_WIDE_PIXELS : SMALL_PLANE_WIDE_PIXELS_1X1));
    }

    /** Pixel rows of a small-plane layer's products: its pixels rounded up to whole 4-pixel tiles. */
    public static int smallPlaneRows(int oh, int ow) {
        return (oh * ow + 3) / 4 * 4;
    }

    /**
     * Scratch of a small-plane layer's products, pixel-major (pixel rows and channels rounded up), after its source,
     * and per block of channels one 4-pixel tile's sums for the exact integer mode of the int8 layers (blocks may
     * run on different threads).
     */
    public static int smallPlaneProducts(int oc, int oh, int ow) {
        int blocks = (oc + SMALL_PLANE_BLOCK - 1) / SMALL_PLANE_BLOCK;
        return (smallPlaneRows(oh, ow) + 4) * blocks * SMALL_PLANE_BLOCK;
    }

    /**
     * The source planes of one group (stride 1: a zero-padded copy of the input planes when there are pads;
     * phased strides: the phase planes; other strides: the gathered taps), then the wide output of one group when
     * its rows are longer than the output's, or a small-plane layer's pixel-major products; for a layer that may run
     * as Winograd, the larger of that and Winograd's channels-last input and one block.
     */
    public static int scratchFloats(int c, int h, int wd, int oc, int oh, int ow, int kh, int kw, int sh, int sw,
            int ph, int pw, int dh, int dw, int groups) {
        int icg = c / groups;
        int src, wide;
        if (phased(kh, kw, sh, sw, dh, dw)) {
            int hq = oh + (kh - 1) / sh, wq = ow + (kw - 1) / sw;
            src = icg * sh * sw * hq * wq;
            wide = wq != ow ? oc / groups * ((oh - 1) * wq + ow) : 0;
        } else if (sh != 1 || sw != 1) {
            src = icg * kh * kw * oh * ow;
            wide = 0;
        } else {
            int hp = Math.max(h + ph, oh + (kh - 1) * dh);
            int wp = Math.max(wd + pw, ow + (kw - 1) * dw);
            boolean padCopy = hp != h || wp != wd || ph != 0 || pw != 0;
            src = padCopy ? icg * hp * wp : 0;
            wide = wp != ow ? oc / groups * ((oh - 1) * wp + ow) : 0;
        }
        int tiled = src + (smallPlane(groups, oh, ow, oc, kh, kw) ? smallPlaneProducts(oc, oh, ow) : wide);
        return winograd(c, oc, oh, ow, kh, kw, sh, sw, dh, dw, groups)
                ? Math.max(tiled, winogradGeometry(c, h, wd, oc, oh, ow, ph, pw).scratchFloats(1)) : tiled;
    }
}
