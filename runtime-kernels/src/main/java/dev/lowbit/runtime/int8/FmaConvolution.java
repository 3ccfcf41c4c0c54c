package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import dev.lowbit.runtime.fp32.TiledConvolution;
import dev.lowbit.runtime.fp32.TiledLayout;
import dev.lowbit.runtime.fp32.WinogradGeometry;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An int8 convolution whose exact integer dot products are computed on the f32 FMA units, by the f32 tiled
 * convolution of the float models ({@link TiledConvolution}), framed by a centring pass and {@link Requantization}'s
 * epilogue ({@link Epilogue#storeChannelRun}). Levels in and out are NCHW.
 *
 * <p>Why: the Vector API has no int8 dot product (no vpdpbusd, no vpmaddwd), so the int8 kernels spend a 16-bit
 * multiply, two adds and a shift per 32 products, against one FMA per 16 products here; they reach 55-73 GMAC/s on
 * wide layers and 3-35 GMAC/s on narrow ones (few input or output channels, where their per-pixel work
 * dominates), while the f32 tiles reach 60-87 on the same shapes. The int8 kernels remain for layers this one
 * cannot take exactly, depthwise and grouped layers, and fully connected layers. 1x1 stride-1 unpadded layers skip the
 * centring pass and read the levels in their tiles ({@link FmaPointwise}) when their weights allow it; 3x3
 * stride-1 layers of at least 32 inputs and outputs run as Winograd F(2x2, 3x3) ({@link FmaWinograd}, 2.25x fewer
 * multiplications) when its tighter bound allows it ({@link WinogradLayout}); small-plane layers sum with int8
 * weights and move to int32 every 512 products ({@link TiledConvolution#exactIntegers}), exact for any weights, so
 * planes of at most 9 outputs, where the int8 kernel idles, come here whatever their weights
 * ({@link FmaLayout#exactSmallPlane}); other padded stride-1 layers with
 * rows of at least 16 outputs centre into the tiled convolution's padded planes and store from its wide rows
 * ({@link #wideRows}); the others centre into an input-shaped buffer first.
 *
 * <p>Exactness: the input levels are centred ({@code q - z}) and the weights are the int8 values, and
 * {@link FmaLayout#takes} admits a layer only when every partial sum, in any order, is an integer of magnitude at
 * most 2^24, which f32 represents exactly (on small planes: every partial sum of at most 512 products, which holds
 * for any int8 weights). Padding taps are 0 after centring, as the int8 kernels' padding with the
 * zero point. So every sum is the integer {@code D} the int8 kernels compute, and the epilogue is
 * {@link Requantization}'s arithmetic on it, lane-wise as in the int8 kernels' vector epilogue: the outputs are
 * bit-identical (FmaConvolutionTest). A fractional zero point z (padded with the integer p) adds its border term
 * {@code (z - p) * w} per padded tap to the sums that read the padding: after the exact sum ({@link BorderTerm}),
 * or in the input of the Winograd forms with rounded sums; the int8 kernels have no such term.
 *
 * <p>The one exception, when the model allows it ({@code exactSums} false, the default of {@code @CompiledModel}):
 * the 3x3 layers the f32 path runs as Winograd F(4x4, 3x3) or F(3x3, 3x3) run it too, on the same centred levels
 * ({@link WinogradLayout#rounded}), and F(2x2) layers whose exact sums need several runs of input channels sum in
 * one ({@link WinogradLayout#roundsSums}), and 1x1 layers over runs of input channels with their own grids sum every
 * run in one pass ({@link #pointwiseRuns}), and the direct tiles of a layer with a border level pad with it
 * ({@link FmaLayout#padsWithBorderLevel}); the epilogue reads sums within a fraction of a unit of D; it applies the same
 * f32 arithmetic to them on every path (vector, scalar, split), so split runs stay bit-identical to one thread.
 * Immutable; {@link #run} is thread-safe with distinct buffers.
 */
public final class FmaConvolution {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    /** 32 levels: the bytes of 16 short lanes (stride-2 gathers). */
    private static final VectorSpecies<Byte> PAIRS = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> PAIR_SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Float>> FLOATS_TYPE = FLOATS.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final Class<? extends Vector<Short>> PAIR_SHORTS_TYPE = PAIR_SHORTS.vectorType();
    private static final int LANES = 16;

    private final ConvGeometry g;
    private final int zeroPoint;
    /** The f32 tiled convolution over the centred levels; null when {@link #pointwise} runs the layer. */
    private final TiledConvolution conv;
    /** The layer's path when it is 1x1, stride 1 and unpadded ({@link FmaPointwise#takes}), else null. */
    private final FmaPointwise pointwise;
    /** The layer's path when it is 3x3 stride 1 and runs as Winograd ({@link WinogradLayout#plan}), else null. */
    private final FmaWinograd winograd;
    /**
     * The border term of a fractional zero point, added to the exact sums before the epilogue; null when there is
     * none or the padding carries it (Winograd margins, {@link #padLevel}).
     */
    private final BorderTerm border;
    /**
     * What the direct tiles' padding holds: 0 (the centred padding level, exact integer sums), or the border level
     * {@code z - p} when the model allows rounded sums, which puts the border term into the sums at no cost (the
     * pass of {@link #border} took 3.5 us of landmarks' first layer's 19 and 14 of vehicle's 162, by hand).
     */
    private final float padLevel;
    /**
     * Whether the layer centres into the padded planes and stores from the wide rows ({@link #wideRows}): a padded
     * stride-1 layer ({@link TiledConvolution#exposesWideRows}) whose output rows hold at least one vector of 16.
     * Shorter rows would run the epilogue in its scalar form: the fashion-mnist model's conv2 (14-pixel rows) took
     * 22.6 us that way and 15.1-15.7 us through the output-shaped copy (per-layer profile of the main job).
     */
    private final boolean fromWideRows;
    /**
     * Whether a strided layer stores from the wide rows after its phase planes ({@link
     * TiledConvolution#phasedWideRows}), rows of at least one vector of 16 as above.
     */
    private final boolean fromPhasedWideRows;
    /** Whether the layer centres its levels straight into the gathered tap planes ({@link #centreIntoTaps}). */
    private final boolean intoTaps;
    /**
     * Output rows per chunk of {@link #wideRows} when {@link #fromWideRows} or {@link #fromPhasedWideRows} (else 0):
     * about 64K f32 sums, which the epilogue reads while they are in L2, and at least a tile of 32 pixels.
     */
    private final int chunkRows;

    /**
     * The layer with exact sums on every path, bit-identical to the int8 kernels.
     *
     * @param oihw the layer's int8 weights {@code [oc][ic][kh][kw]} (one group)
     * @param zeroPoint the input's integer zero point (u8 levels)
     */
    public FmaConvolution(ConvGeometry g, int zeroPoint, byte[] oihw) {
        this(g, zeroPoint, oihw, true);
    }

    /**
     * As above; with {@code exactSums} false, a layer {@link WinogradLayout#rounded} picks runs as Winograd F(4x4,
     * 3x3) or F(3x3, 3x3) with rounded sums (whatever its weights), an F(2x2) layer in one run of input channels with rounded sums
     * where exact ones would need several ({@link WinogradLayout#roundsSums}), the others as with exact sums.
     */
    public FmaConvolution(ConvGeometry g, int zeroPoint, byte[] oihw, boolean exactSums) {
        this(g, zeroPoint, oihw, exactSums, 0f);
    }

    /**
     * As above, with the border term of a fractional zero point z: {@code borderLevel = z - p} (0 for none) is
     * the centred level the padding stands for, so every sum that reads the padding gets {@code (z - p) * w} per
     * padded tap, which the bias folded over every tap ({@code (p - z) * sum w}) lacks at the borders. The Winograd
     * forms with rounded sums put the level in their input's margins, and so do the direct tiles when
     * {@code exactSums} is false ({@link FmaLayout#padsWithBorderLevel}); every other path adds the term to its
     * exact integer sums before the epilogue ({@link BorderTerm}), which rounds once more in f32.
     */
    public FmaConvolution(ConvGeometry g, int zeroPoint, byte[] oihw, boolean exactSums, float borderLevel) {
        if (!FmaLayout.takes(g, oihw, zeroPoint, exactSums, borderLevel != 0)) {
            throw new IllegalArgumentException(g + " with zero point " + zeroPoint + ": partial sums up to "
                    + FmaLayout.largestPartialSum(g, oihw, zeroPoint) + " (f32 is exact up to 2^24 only), or not one group,"
                    + " or a shape FmaLayout leaves to the int8 kernels");
        }
        this.g = g;
        this.zeroPoint = zeroPoint;
        this.pointwise = FmaPointwise.forLayer(g, zeroPoint, oihw);
        this.winograd = FmaWinograd.forLayer(g, zeroPoint, oihw, exactSums, borderLevel);
        boolean tiled = pointwise == null && winograd == null;
        // rounded sums allowed: the direct tiles' padding holds the border level; else the term is added to the
        // exact sums
        this.padLevel = tiled && FmaLayout.padsWithBorderLevel(g, exactSums) ? borderLevel : 0f;
        this.border = winograd != null && winograd.carriesBorderTerm() || padLevel != 0 ? null
                : BorderTerm.of(g, oihw, borderLevel);
        // the other paths never use the tiled convolution (its f32 weights would be a second copy)
        this.conv = !tiled ? null : TiledConvolution.exactIntegers(oihw, g.inChannels(),
                g.inH(), g.inW(), g.outChannels(), g.outH(), g.outW(), g.kernelH(), g.kernelW(), g.strideH(),
                g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), padLevel);
        this.fromWideRows = conv != null && conv.exposesWideRows() && g.outW() >= LANES;
        this.fromPhasedWideRows = conv != null && conv.phasedWideRows() && g.outW() >= LANES;
        this.intoTaps = conv != null && conv.gathersTaps();
        int wp = fromWideRows || fromPhasedWideRows ? conv.paddedWidth() : 0;
        this.chunkRows = wp > 0 ? Math.max((2 * LANES + wp - 1) / wp, (1 << 16) / (g.outChannels() * wp)) : 0;
    }

    /**
     * A 1x1 layer whose input channels come in runs with their own grids (a Concat of differently quantized branches)
     * in one pass with rounded sums, where the exact form needs a pass per run and a combine: run j starts at input
     * channel {@code runStarts[j]} with zero point {@code zeroPoints[j]}, and its weights for output o are scaled by
     * {@code factors[j * outChannels + o]} (the ratio of its multiplier to the one the epilogue applies), so
     * {@link #run} passes {@code sum_j factor_j * D_j} to the epilogue instead of the integer D. Within a fraction of
     * a unit of the exact combination (FmaPointwiseRunsTest); for models without {@code exactInt8}.
     *
     * @throws IllegalArgumentException for a shape other than {@link FmaLayout#pointwiseShape}, or runs, zero points
     *     and factors that do not match the layer
     */
    public static FmaConvolution pointwiseRuns(ConvGeometry g, byte[] oihw, int[] runStarts, int[] zeroPoints,
            float[] factors) {
        return new FmaConvolution(g, FmaPointwise.scaledRuns(g, oihw, runStarts, zeroPoints, factors));
    }

    /** The layer on the pointwise path alone. */
    private FmaConvolution(ConvGeometry g, FmaPointwise pointwise) {
        this.g = g;
        this.zeroPoint = 0;
        this.pointwise = pointwise;
        this.winograd = null;
        this.border = null;
        this.padLevel = 0f;
        this.conv = null;
        this.fromWideRows = false;
        this.fromPhasedWideRows = false;
        this.intoTaps = false;
        this.chunkRows = 0;
    }

    /** Floats {@link #run} needs in {@code centred}: the input planes. */
    public int centredFloats() {
        return g.inputLength();
    }

    /** Floats {@link #run} needs in {@code sums}: the dot products, NCHW. */
    public int sumFloats() {
        return g.outputLength();
    }

    /**
     * Floats {@link #run} needs in {@code convScratch} when it may split over {@code workers} threads: the tiled
     * convolution's padded or gathered planes, or Winograd's padded input and a block per worker.
     */
    public int convScratchFloats(int workers) {
        // the generated code sizes this scratch at build time with the same functions
        WinogradGeometry w = winograd == null ? null : winograd.geometry();
        return FmaLayout.sharedScratchFloats(g, w) + workers * FmaLayout.workerScratchFloats(w);
    }

    /**
     * One image: NCHW levels at {@code in[inOff]}, epilogue {@code r}; writes NCHW levels to {@code outB} or, with
     * {@code outB} null, fp32 NCHW values to {@code outF}, at {@code outOff}. The three scratch arrays are
     * distinct, sized as above.
     */
    public void run(byte[] in, int inOff, Requantization r, byte[] outB, float[] outF, int outOff, float[] centred,
            float[] sums, float[] convScratch) {
        run(in, inOff, r, outB, outF, outOff, centred, sums, convScratch, null);
    }

    /**
     * As above, split over {@code parallel} when the tiled convolution {@linkplain TiledConvolution#splits splits}:
     * centring by ranges of input rows, plane preparation by ranges of prepared rows, then the sums and the
     * epilogue by ranges of output rows (why rows: {@link TiledConvolution#run(float[], float[], float[], Parallel)}).
     * Padded stride-1 layers centre straight into the padded planes and run the epilogue from the wide sums
     * ({@link TiledConvolution#exposesWideRows}), strided ones from the wide sums after their phase planes
     * ({@link TiledConvolution#phasedWideRows}); 1x1 layers go to {@link FmaPointwise}; Winograd layers split their
     * channels-last copy by rows and their blocks of tiles, each worker in its own block of {@code convScratch}
     * (sized by {@link #convScratchFloats} for the pool's threads), F(4x4) ones with a quantized output
     * requantizing each output tile in the transform ({@link FmaWinograd#storesLevels}), their {@code sums} unused.
     * Every value gets the single-thread arithmetic, so the output is bit-identical. Null runs on the caller.
     */
    public void run(byte[] in, int inOff, Requantization r, byte[] outB, float[] outF, int outOff, float[] centred,
            float[] sums, float[] convScratch, Parallel parallel) {
        int oc = g.outChannels();
        if (centred.length < centredFloats() || sums.length < sumFloats() || convScratch.length < convScratchFloats(1)) {
            throw new IllegalArgumentException("scratch of " + centred.length + ", " + sums.length + " and "
                    + convScratch.length + " floats, need " + centredFloats() + ", " + sumFloats() + " and "
                    + convScratchFloats(1));
        }
        if (r.channels() != oc || r.quantized() != (outB != null)) {
            throw new IllegalArgumentException("epilogue for " + r.channels() + " channels (quantized " + r.quantized()
                    + ") does not fit " + oc + " outputs written as " + (outB != null ? "levels" : "fp32"));
        }
        Bounds.check(in, inOff, g.inputLength(), outB != null ? outB.length : outF.length, outOff, g.outputLength());
        if (pointwise != null) {
            pointwise.run(in, inOff, r, outB, outF, outOff, sums, parallel);
            return;
        }
        if (winograd != null) {
            boolean split = parallel != null && parallel.worthSplitting(g.macs(), (long) g.inputLength() + g.outputLength());
            if (outB != null && border == null && winograd.storesLevels(r)) {
                winograd.runLevels(in, inOff, r, outB, outOff, convScratch, parallel, split);
                return;
            }
            winograd.run(in, inOff, sums, convScratch, parallel, split);
            if (split) {
                parallel.forRange(g.outH(), (from, to, worker) -> storeRows(sums, r, outB, outF, outOff, from, to));
            } else {
                storeRows(sums, r, outB, outF, outOff, 0, g.outH());
            }
            return;
        }
        if (fromWideRows) {
            if (conv.splits(parallel)) {
                parallel.forRange(conv.preparedRows(), (from, to, worker) -> centreIntoPlanes(in, inOff, convScratch, from, to));
                parallel.forRange(g.outH(), (from, to, worker) -> wideRows(convScratch, r, outB, outF, outOff, from, to));
            } else {
                centreIntoPlanes(in, inOff, convScratch, 0, conv.preparedRows());
                wideRows(convScratch, r, outB, outF, outOff, 0, g.outH());
            }
            return;
        }
        if (fromPhasedWideRows) {
            if (conv.splits(parallel)) {
                parallel.forRange(g.inH(), (from, to, worker) -> centreRows(in, inOff, centred, from, to));
                parallel.forRange(conv.preparedRows(), (from, to, worker) -> conv.prepareRows(centred, convScratch, from, to));
                parallel.forRange(g.outH(), (from, to, worker) -> wideRows(convScratch, r, outB, outF, outOff, from, to));
            } else {
                centre(in, inOff, g.inputLength(), zeroPoint, centred, 0);
                conv.prepareRows(centred, convScratch, 0, conv.preparedRows());
                wideRows(convScratch, r, outB, outF, outOff, 0, g.outH());
            }
            return;
        }
        if (intoTaps) {
            // a range of output rows reads only the same rows of the tap planes: no hand-off between the passes
            if (conv.splits(parallel)) {
                parallel.forRange(g.outH(), (from, to, worker) -> tapRows(in, inOff, r, outB, outF, outOff, sums,
                        convScratch, from, to));
            } else {
                tapRows(in, inOff, r, outB, outF, outOff, sums, convScratch, 0, g.outH());
            }
            return;
        }
        if (conv.splits(parallel)) {
            parallel.forRange(g.inH(), (from, to, worker) -> centreRows(in, inOff, centred, from, to));
            if (conv.preparedRows() > 0) {
                parallel.forRange(conv.preparedRows(),
                        (from, to, worker) -> conv.prepareRows(centred, convScratch, from, to));
            }
            parallel.forRange(g.outH(), (from, to, worker) -> {
                conv.computeRows(centred, sums, convScratch, from, to);
                storeRows(sums, r, outB, outF, outOff, from, to);
            });
            return;
        }
        // a small plane splits its product by blocks of output channels inside the tiled convolution
        centre(in, inOff, g.inputLength(), zeroPoint, centred, 0);
        conv.run(centred, sums, convScratch, parallel);
        storeRows(sums, r, outB, outF, outOff, 0, g.outH());
    }

    /**
     * Rows {@code [from, to)} of the tiled convolution's padded input planes, written from the levels directly:
     * each input row centred ({@link #centre}) at column pw, {@link #padLevel} elsewhere. The
     * separate centring pass wrote the whole input as f32 once more before the planes were copied from it.
     */
    private void centreIntoPlanes(byte[] in, int inOff, float[] scratch, int from, int to) {
        int h = g.inH(), w = g.inW(), ph = g.padTop(), pw = g.padLeft();
        for (int ic = 0; ic < g.inChannels(); ic++) {
            // one fill per gap: a row's right margin and the next row's left margin are contiguous
            int zeroFrom = conv.paddedPlaneRow(ic, from);
            for (int u = Math.max(from, ph); u < Math.min(to, ph + h); u++) {
                int row = conv.paddedPlaneRow(ic, u);
                java.util.Arrays.fill(scratch, zeroFrom, row + pw, padLevel);
                centre(in, inOff + (ic * h + u - ph) * w, w, zeroPoint, scratch, row + pw);
                zeroFrom = row + pw + w;
            }
            java.util.Arrays.fill(scratch, zeroFrom, conv.paddedPlaneRow(ic, to), padLevel);
        }
    }

    /** Output rows {@code [from, to)} of a layer whose taps are gathered: the tap planes, the sums, the epilogue. */
    private void tapRows(byte[] in, int inOff, Requantization r, byte[] outB, float[] outF, int outOff, float[] sums,
            float[] convScratch, int from, int to) {
        centreIntoTaps(in, inOff, convScratch, from, to);
        conv.computeRows(null, sums, convScratch, from, to); // the tiles read the tap planes, not the input
        storeRows(sums, r, outB, outF, outOff, from, to);
    }

    /**
     * Output rows {@code [from, to)} of every gathered tap plane ({@link TiledConvolution#tapPlane}), centred straight
     * from the levels: {@code q - z} where the tap reads the input, {@link #padLevel} elsewhere. Column
     * stride 2 takes 16 values per step: 32 levels read as 16 shorts, whose low bytes are the even columns.
     */
    private void centreIntoTaps(byte[] in, int inOff, float[] scratch, int from, int to) {
        int h = g.inH(), w = g.inW(), ow = g.outW(), kh = g.kernelH(), kw = g.kernelW();
        int sh = g.strideH(), sw = g.strideW();
        float z = zeroPoint;
        for (int ic = 0; ic < g.inChannels(); ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int plane = conv.tapPlane((ic * kh + ky) * kw + kx);
                    int shift = kx * g.dilationW() - g.padLeft();
                    // ix = ox * sw + shift lies in [0, w) for ox in [first, last)
                    int first = TiledLayout.firstInside(shift, sw, ow);
                    int last = TiledLayout.endInside(shift, sw, w, ow);
                    for (int oy = from; oy < to; oy++) {
                        int row = plane + oy * ow;
                        int iy = oy * sh - g.padTop() + ky * g.dilationH();
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(scratch, row, row + ow, padLevel);
                            continue;
                        }
                        int src = inOff + (ic * h + iy) * w + shift;
                        java.util.Arrays.fill(scratch, row, row + first, padLevel);
                        int ox = first;
                        if (sw == 2) {
                            for (; ox + LANES <= last && src + 2 * ox + 2 * LANES <= in.length; ox += LANES) {
                                ShortVector pairs = (ShortVector) PAIR_SHORTS_TYPE.cast(
                                        ByteVector.fromArray(PAIRS, in, src + 2 * ox).reinterpretShape(PAIR_SHORTS, 0));
                                IntVector levels = (IntVector) INTS_TYPE.cast(pairs.and((short) 0xFF)
                                        .convertShape(VectorOperators.S2I, INTS, 0));
                                ((FloatVector) FLOATS_TYPE.cast(levels.convertShape(VectorOperators.I2F, FLOATS, 0))).sub(z)
                                        .intoArray(scratch, row + ox);
                            }
                        }
                        for (; ox < last; ox++) {
                            scratch[row + ox] = (in[src + ox * sw] & 0xFF) - zeroPoint;
                        }
                        java.util.Arrays.fill(scratch, row + last, row + ow, padLevel);
                    }
                }
            }
        }
    }

    /**
     * Output rows {@code [from, to)} of every channel in chunks of {@link #chunkRows}: the sums in the tiled
     * convolution's wide layout, then the epilogue of each row straight from them (no copy of the wide rows into an
     * output-shaped f32 buffer first). Chunks start and end on rows, and a tile never starts before its chunk, so
     * every pixel gets the same arithmetic as in one call.
     */
    private void wideRows(float[] scratch, Requantization r, byte[] outB, float[] outF, int outOff, int from, int to) {
        int oh = g.outH(), ow = g.outW();
        for (int y0 = from; y0 < to; ) {
            int y1 = to - y0 < 2 * chunkRows ? to : y0 + chunkRows;
            conv.computeWideRows(scratch, y0, y1);
            for (int o = 0; o < g.outChannels(); o++) {
                if (border != null) {
                    border.addToRows(scratch, conv.wideRow(o, y0), conv.paddedWidth(), o, y0, y1);
                }
                for (int oy = y0; oy < y1; oy++) {
                    Epilogue.storeChannelRun(scratch, conv.wideRow(o, oy), ow, r, o, outB, outF, outOff + (o * oh + oy) * ow);
                }
            }
            y0 = y1;
        }
    }

    /** Input rows {@code [from, to)} of every channel, centred ({@link #centre}). */
    private void centreRows(byte[] in, int inOff, float[] centred, int from, int to) {
        int plane = g.inH() * g.inW(), iw = g.inW();
        for (int c = 0; c < g.inChannels(); c++) {
            int at = c * plane + from * iw;
            centre(in, inOff + at, (to - from) * iw, zeroPoint, centred, at);
        }
    }

    /** The epilogue of output rows {@code [from, to)} of every channel, from the NCHW sums. */
    private void storeRows(float[] sums, Requantization r, byte[] outB, float[] outF, int outOff, int from, int to) {
        int pixels = g.outH() * g.outW(), ow = g.outW();
        for (int o = 0; o < g.outChannels(); o++) {
            int at = o * pixels + from * ow;
            if (border != null) {
                border.addToRows(sums, at, ow, o, from, to);
            }
            Epilogue.storeChannelRun(sums, at, (to - from) * ow, r, o, outB, outF, outOff + at);
        }
    }

    /** {@code centred[at + i] = (in[inOff + i] & 0xFF) - zeroPoint} for i < n. */
    private static void centre(byte[] in, int inOff, int n, int zeroPoint, float[] centred, int at) {
        float z = zeroPoint;
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            IntVector levels = (IntVector) INTS_TYPE.cast(ByteVector.fromArray(BYTES, in, inOff + i)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0));
            ((FloatVector) FLOATS_TYPE.cast(levels.convertShape(VectorOperators.I2F, FLOATS, 0))).sub(z)
                    .intoArray(centred, at + i);
        }
        for (; i < n; i++) {
            centred[at + i] = (in[inOff + i] & 0xFF) - zeroPoint;
        }
    }
}
