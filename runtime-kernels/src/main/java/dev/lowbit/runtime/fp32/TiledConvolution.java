package dev.lowbit.runtime.fp32;

import dev.lowbit.runtime.Parallel;
import dev.lowbit.runtime.pack.Int8WeightLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * One 2-D convolution layer in NCHW (groups, depthwise, strides, pads, dilation) computed in f32 with FMA and
 * register-resident accumulators: the fast kernel for float models. Unlike {@link Convolution#conv2d} it does not
 * match the reference evaluator bit for bit (f32 sums in another order: relative error about K * 2^-24 of
 * sum |w * x| for K products), so the code generator uses it only where no FakeQuantize runs after it.
 *
 * <p>The layer is a matrix product per group: out[m][q] = sum over r of w[m][r] * src[off[r] + q], with
 * r = (ic * kh + ky) * kw + kx and q the output pixel. How q and src are laid out:
 * <ul>
 *   <li><b>stride 1</b> (any pads and dilation): src is the input plane, zero-padded into scratch when there are
 *       pads; q runs over the "wide" output, rows as long as the padded input row (wp), so every tap is a
 *       constant shift (ky * dh * wp + kx * dw) of one contiguous run of pixels, however short the rows. The
 *       (wp - ow) extra columns per row are computed and dropped when the wide rows are copied to the output
 *       (they land directly in the output when wp == ow, as for an unpadded 1x1).</li>
 *   <li><b>other strides</b>: each tap's strided pixels are gathered once per call into a contiguous plane of
 *       oh * ow values (im2col), offsets r * oh * ow.</li>
 * </ul>
 * The main tile is 8 output channels x 2 vectors of pixels (16 accumulators: per weight position r, 2 pixel
 * loads and 8 broadcast weights feed 16 FMAs). It beat a 4 x 2 tile by 1.4-1.6x per CPU-second on 3x3 and 1x1
 * layers with 64 channels (alternating in one JVM), and C2 still compiles it without boxing
 * ({@code gc.alloc.rate.norm} ~0 in JMH). Runs of pixels that 3-vector tiles cover with no more work than 2-vector
 * ones (long wide rows; not 15x15 planes, where the shifted-back last tile would redo a third) take an 8 x 3 tile
 * instead (24 accumulators: 3 loads and 8 broadcasts feed 24 FMAs): 0.90-0.92x the time of 8 x 2 on 3x3 layers of
 * 3-64 inputs at 18x18-60x60 (same JVM, both orders of loading, by hand), so the first layers of the small models
 * gain most. Channels left over run one 4 x 2 tile, then 1 channel x 4 vectors
 * tiles (the depthwise case: one channel per group). Pixel tails rerun the last full tile shifted back; only
 * rows of fewer pixels than a tile run masked one-vector tiles.
 * Each tile method keeps its vectors local and calls nothing that receives a vector, so C2 keeps them in
 * registers (see docs/performance.md, items 5-6 of the int8 kernels).
 *
 * <p>3x3 stride-1 one-group layers of at least 16 inputs and 32 outputs in whole vectors of 16
 * ({@link TiledLayout#winograd}) run as Winograd F(2x2, 3x3) instead ({@link WinogradTiles}: 16 products per input
 * channel and 2x2 outputs instead of 36; 0.53-0.87x the direct tiles' time on 32-128 channels at 4x4-38x38, same
 * JVM, by hand) when their output holds at least four 2x2 tiles, or as F(3x3, 3x3) or F(4x4, 3x3) when their
 * weighted products cost less ({@link TiledLayout#winogradGeometry}; 0.71-0.87x F(2x2)'s time where picked),
 * split over threads by blocks of tiles.
 * Their rounding differs from the direct tiles' (sums of transformed values; the bound is in WinogradTilesTest),
 * which is why the int8 layers on FMA, whose integer sums must stay exact, construct this class with Winograd off.
 *
 * <p>Other one-group layers with a small output plane ({@link TiledLayout#smallPlane}) run the
 * product on {@link SmallPlaneConvolution} instead (vectors along output channels, reading the same prepared
 * planes through the same offsets; same summation order).
 *
 * <p>Weights are packed once in the constructor, in the order the tiles read them (see {@code pack}). Immutable
 * after construction; {@link #run} is thread-safe when callers pass distinct outputs and scratch.
 */
public final class TiledConvolution {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();

    private final int n;
    private final int c;
    private final int h;
    private final int wd;
    private final int oc;
    private final int oh;
    private final int ow;
    private final int kh;
    private final int kw;
    private final int sh;
    private final int sw;
    private final int ph;
    private final int pw;
    private final int dh;
    private final int dw;
    private final int groups;
    private final int icg;
    private final int ocg;
    private final int k;
    /** Stride 1: the wide layout over the (padded) input planes. */
    private final boolean direct;
    /** Other strides without dilation: the wide layout over the input's stride phases (see {@link PhasePlanes}). */
    private final boolean phased;
    /** The phase planes of a phased layer, else null. */
    private final PhasePlanes phasePlanes;
    /** Direct layout reads a zero-padded copy (there are pads) instead of the input itself. */
    private final boolean padCopy;
    /**
     * Padded plane height and width (direct layout; the input's own when there are no pads), or the height and
     * width of one phase plane (phased layout).
     */
    private final int hp;
    private final int wp;
    /** Pixels per output channel the tiles compute: (oh - 1) * wp + ow (direct, phased) or oh * ow (gathered). */
    private final int q;
    private final int[] offsets;
    private final float[] packed;
    /** The kernel for output planes of a few pixels (vectors along channels), or null. */
    private final SmallPlaneConvolution smallPlane;
    /**
     * Winograd F(2x2, 3x3) for the layer ({@link TiledLayout#winograd}, unless constructed for exact integer sums),
     * or null; a Winograd layer packs no weights for the direct tiles or the small-plane kernel.
     */
    private final WinogradTiles winograd;
    private final int srcFloats;
    private final int scratchFloats;
    /** What every output value goes through before {@link #run} returns (see the constructor), or null. */
    private final ChannelEpilogue epilogue;
    /** What the planes this class prepares hold outside the input: 0, or an int8 layer's border level. */
    private final float padValue;

    /**
     * @param w weights [oc][c/groups][kh][kw] (GroupConvolution's [g][oc/g][c/g][kh][kw] is the same layout);
     *          read here only, packed into this object
     */
    public TiledConvolution(float[] w, int n, int c, int h, int wd, int oc, int oh, int ow, int kh, int kw,
            int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        this(w, n, c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups, true);
    }

    /**
     * As above; {@code winogradAllowed = false} keeps the direct tiles, whose sums of integer-valued products are
     * exact below 2^24 (the int8 layers on FMA), where Winograd's f32 output transform would round.
     */
    public TiledConvolution(float[] w, int n, int c, int h, int wd, int oc, int oh, int ow, int kh, int kw,
            int sh, int sw, int ph, int pw, int dh, int dw, int groups, boolean winogradAllowed) {
        this(w, null, n, c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups, winogradAllowed, null, 0f);
    }

    /**
     * As the first constructor, with every output value passed through {@code epilogue} (the layer's bias,
     * ReLU, batch norm) while it is in cache: in the Winograd output tiles, per block of 8 channels right after the
     * direct tiles store it, after the small-plane product. Bit-identical to running the epilogue's steps as
     * separate passes after {@link #run}.
     */
    public TiledConvolution(float[] w, int n, int c, int h, int wd, int oc, int oh, int ow, int kh, int kw,
            int sh, int sw, int ph, int pw, int dh, int dw, int groups, ChannelEpilogue epilogue) {
        this(w, null, n, c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups, true,
                java.util.Objects.requireNonNull(epilogue, "epilogue"), 0f);
    }

    /**
     * One image, one group, of an int8 layer on FMA ({@code FmaConvolution}): the input holds centred levels
     * (integers of magnitude at most 255) and the weights are the layer's int8 values. The direct tiles sum in f32,
     * exact while the caller's bound holds (FmaLayout); a small-plane layer sums in the exact integer mode of
     * {@link SmallPlaneConvolution} (int8 weights widened in registers, int32 every 512 products), exact for any
     * weights. No Winograd: its f32 output transform would round.
     */
    public static TiledConvolution exactIntegers(byte[] w, int c, int h, int wd, int oc, int oh, int ow, int kh,
            int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        return exactIntegers(w, c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, 0f);
    }

    /**
     * As above, with the planes this class prepares holding {@code padValue} instead of 0 outside the input: an int8
     * layer's centred border level {@code z - p}, whose products with the padded taps' weights are its border term.
     * The sums are then rounded f32 sums (no longer integers); not for a small-plane layer, whose exact integer mode
     * moves its sums to int32.
     */
    public static TiledConvolution exactIntegers(byte[] w, int c, int h, int wd, int oc, int oh, int ow, int kh,
            int kw, int sh, int sw, int ph, int pw, int dh, int dw, float padValue) {
        if (padValue != 0 && TiledLayout.smallPlane(1, oh, ow, oc, kh, kw)) {
            throw new IllegalArgumentException("a small-plane layer (" + oc + " outputs at " + oh + "x" + ow
                    + ") sums in exact integers: no pad value " + padValue);
        }
        return new TiledConvolution(null, w, 1, c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, 1, false, null,
                padValue);
    }

    /**
     * Float weights {@code w}, or int8 weights {@code levels} (then {@code w} is null) for {@link #exactIntegers};
     * {@code padValue} in the prepared planes outside the input.
     */
    private TiledConvolution(float[] w, byte[] levels, int n, int c, int h, int wd, int oc, int oh, int ow, int kh,
            int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups, boolean winogradAllowed,
            ChannelEpilogue epilogue, float padValue) {
        if (groups <= 0 || c % groups != 0 || oc % groups != 0) {
            throw new IllegalArgumentException("channels " + c + " -> " + oc + " do not split into " + groups + " groups");
        }
        if (epilogue != null && epilogue.channels() != oc) {
            throw new IllegalArgumentException("epilogue for " + epilogue + " on a layer of " + oc + " output channels");
        }
        this.epilogue = epilogue;
        this.padValue = padValue;
        this.n = n;
        this.c = c;
        this.h = h;
        this.wd = wd;
        this.oc = oc;
        this.oh = oh;
        this.ow = ow;
        this.kh = kh;
        this.kw = kw;
        this.sh = sh;
        this.sw = sw;
        this.ph = ph;
        this.pw = pw;
        this.dh = dh;
        this.dw = dw;
        this.groups = groups;
        this.icg = c / groups;
        this.ocg = oc / groups;
        this.k = icg * kh * kw;
        int weights = w != null ? w.length : levels.length;
        if (weights != oc * k) {
            throw new IllegalArgumentException("weights have " + weights + " values, expected " + oc * k);
        }
        this.direct = sh == 1 && sw == 1;
        this.phased = TiledLayout.phased(kh, kw, sh, sw, dh, dw);
        if (phased) {
            // tap (ky, kx) of output (oy, ox) is phase (ky % sh, kx % sw) at (oy + ky / sh, ox + kx / sw)
            this.hp = oh + (kh - 1) / sh;
            this.wp = ow + (kw - 1) / sw;
            this.padCopy = false;
            this.q = (oh - 1) * wp + ow;
        } else if (direct) {
            // the padded plane must hold every tap of every output: (oh - 1) + (kh - 1) * dh rows below the top
            this.hp = Math.max(h + ph, oh + (kh - 1) * dh);
            this.wp = Math.max(wd + pw, ow + (kw - 1) * dw);
            this.padCopy = hp != h || wp != wd || ph != 0 || pw != 0;
            this.q = (oh - 1) * wp + ow;
        } else {
            this.hp = 0;
            this.wp = 0;
            this.padCopy = false;
            this.q = oh * ow;
        }
        this.offsets = new int[k];
        for (int ic = 0; ic < icg; ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int r = (ic * kh + ky) * kw + kx;
                    offsets[r] = phased ? ((ic * sh * sw + ky % sh * sw + kx % sw) * hp + ky / sh) * wp + kx / sw
                            : direct ? ic * hp * wp + ky * dh * wp + kx * dw : r * q;
                }
            }
        }
        this.phasePlanes = phased ? new PhasePlanes(icg, h, wd, sh, sw, ph, pw, hp, wp, padValue) : null;
        this.srcFloats = phased ? phasePlanes.floats() : direct ? (padCopy ? icg * hp * wp : 0) : k * q;
        this.winograd = winogradAllowed && TiledLayout.winograd(c, oc, oh, ow, kh, kw, sh, sw, dh, dw, groups)
                ? winogradTiles(TiledLayout.winogradGeometry(c, h, wd, oc, oh, ow, ph, pw), w, epilogue) : null;
        int rowStride = direct || phased ? wp : ow;
        this.smallPlane = winograd != null || !TiledLayout.smallPlane(groups, oh, ow, oc, kh, kw) ? null
                : w != null ? new SmallPlaneConvolution(w, oc, oh, ow, k, rowStride)
                : SmallPlaneConvolution.exactIntegers(levels, oc, oh, ow, k, rowStride);
        this.packed = winograd == null && smallPlane == null ? pack(w != null ? w : Int8WeightLayout.asFloats(levels), groups, ocg, k) : null;
        this.scratchFloats = TiledLayout.scratchFloats(c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups);
    }

    /** Floats of scratch {@link #run} needs. */
    public int scratchFloats() {
        return scratchFloats;
    }

    /** y = conv(x); x [n][c][h][wd], y [n][oc][oh][ow]; scratch of at least {@link #scratchFloats()}. */
    public void run(float[] x, float[] y, float[] scratch) {
        run(x, y, scratch, null);
    }

    /**
     * As {@link #run(float[], float[], float[])}, split over {@code parallel} when {@link #splits} says so: the input
     * planes are prepared by ranges of their rows, then the product by ranges of output rows (each row's pixels
     * with the same tiles' arithmetic, so the output is bit-identical to one thread). Rows, not channels: with one
     * chunk per thread ({@link Parallel}) each thread then reads mostly the rows it prepared and writes the rows
     * the next split layer reads on the same thread, instead of moving half of every tensor between the cores'
     * caches. A small-plane layer (one image, enough work) has too few rows to share: its planes split by rows,
     * its product by blocks of output channels ({@link SmallPlaneConvolution}), bit-identical as well. Null runs on
     * the caller.
     */
    public void run(float[] x, float[] y, float[] scratch, Parallel parallel) {
        if (scratch.length < scratchFloats) {
            throw new IllegalArgumentException("scratch of " + scratch.length + " floats, need " + scratchFloats);
        }
        if (winograd != null) {
            winograd(x, y, scratch, parallel);
            return;
        }
        if (splits(parallel)) {
            prepareRows(x, scratch, parallel);
            parallel.forRange(oh, (from, to, worker) -> computeRows(x, y, scratch, from, to));
            return;
        }
        if (smallPlane != null && n == 1 && parallel != null && worthSplitting(parallel)) {
            // too few rows to share: the planes by rows, then the product by blocks of output channels
            prepareRows(x, scratch, parallel);
            smallPlane.run(prepares() ? scratch : x, 0, offsets, y, 0, scratch, srcFloats, parallel);
            if (epilogue != null) {
                epilogue.planes(y, 0, oh * ow, 0, oc, 0, oh * ow);
            }
            return;
        }
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                int xGroup = (b * c + g * icg) * h * wd;
                int yGroup = (b * oc + g * ocg) * oh * ow;
                prepare(x, xGroup, scratch, 0, preparedRows());
                if (smallPlane != null) {
                    smallPlane.run(prepares() ? scratch : x, prepares() ? 0 : xGroup, offsets, y, yGroup, scratch,
                            srcFloats);
                    if (epilogue != null) {
                        epilogue.planes(y, yGroup, oh * ow, g * ocg, ocg, 0, oh * ow);
                    }
                    continue;
                }
                rows(x, xGroup, g * ocg * k, y, yGroup, scratch, 0, oh);
            }
        }
    }

    /**
     * The layer as Winograd F(2x2, 3x3): split over {@code parallel} (one image, enough work) by rows of the
     * channels-last copy, then by blocks of tiles, each worker in its own block of scratch after the first
     * {@link #scratchFloats} ({@link #workerScratchFloats} each); every tile gets the same arithmetic, so the output
     * is bit-identical to one thread.
     */
    private void winograd(float[] x, float[] y, float[] scratch, Parallel parallel) {
        long macs = (long) oc * oh * ow * k;
        if (parallel != null && n == 1 && parallel.worthSplitting(macs, (long) c * h * wd + (long) oc * oh * ow)) {
            int need = scratchFloats + (parallel.threads() - 1) * workerScratchFloats();
            if (scratch.length < need) {
                throw new IllegalArgumentException("scratch of " + scratch.length + " floats, need " + need + " for "
                        + parallel.threads() + " threads");
            }
            parallel.forRange(winograd.inputRows(), (from, to, worker) -> winograd.channelsLast(x, 0, scratch, from, to));
            winograd.run(scratch, y, 0, parallel);
            return;
        }
        for (int b = 0; b < n; b++) {
            winograd.channelsLast(x, b * c * h * wd, scratch, 0, winograd.inputRows());
            winograd.run(scratch, y, b * oc * oh * ow, null);
        }
    }

    /** Floats of scratch each thread beyond the first needs when the layer splits ({@link TiledLayout#workerScratchFloats}). */
    public int workerScratchFloats() {
        return winograd == null ? 0 : TiledLayout.workerScratchFloats(c, h, wd, oc, oh, ow, kh, kw, sh, sw, ph, pw, dh,
                dw, groups);
    }

    /**
     * Whether {@link #run(float[], float[], float[], Parallel)} splits this layer's direct tiles over {@code parallel}
     * (false for a Winograd layer, which splits its own way): one image,
     * one group, not a small plane (too few rows to share), and enough multiply-accumulates, in all and per value
     * read and written ({@link Parallel#worthSplitting(long, long)}). Callers that split their own passes around
     * the convolution ({@code FmaConvolution}) use {@link #prepareRows} and {@link #computeRows} when it does.
     */
    public boolean splits(Parallel parallel) {
        return parallel != null && n == 1 && groups == 1 && smallPlane == null && winograd == null
                && worthSplitting(parallel);
    }

    /** Enough multiply-accumulates, in all and per value read and written ({@link Parallel#worthSplitting(long, long)}). */
    private boolean worthSplitting(Parallel parallel) {
        long macs = (long) oc * oh * ow * k;
        return parallel.worthSplitting(macs, (long) c * h * wd + (long) oc * oh * ow);
    }

    /** The row-range entry points run the direct tiles, which a Winograd layer does not pack. */
    private void requireDirectTiles() {
        if (winograd != null) {
            throw new IllegalStateException("a Winograd layer computes whole tiles only (construct it with Winograd off)");
        }
    }

    /** Whether the layer reads its input through planes prepared in scratch (pads, stride phases, gathered taps). */
    private boolean prepares() {
        return phased || !direct || padCopy;
    }

    /**
     * Rows of the planes the layer prepares in scratch, for {@link #prepareRows}: of the padded input (stride 1 with
     * pads), of each stride-phase plane, or of the output (gathered taps); 0 when it reads its input directly.
     */
    public int preparedRows() {
        return !prepares() ? 0 : direct || phased ? hp : oh;
    }

    /**
     * Rows {@code [from, to)} of every prepared plane of one image, one group (a layer {@link #splits} accepts); with
     * every row of {@link #preparedRows} covered once, {@link #computeRows} may run. Thread-safe for disjoint ranges.
     */
    public void prepareRows(float[] x, float[] scratch, int from, int to) {
        prepare(x, 0, scratch, from, to);
    }

    /** Every prepared plane of one image, one group, split over {@code parallel} by rows. */
    private void prepareRows(float[] x, float[] scratch, Parallel parallel) {
        if (preparedRows() > 0) {
            parallel.forRange(preparedRows(), (from, to, worker) -> prepareRows(x, scratch, from, to));
        }
    }

    /**
     * Output rows {@code [from, to)} of every output channel of one image, one group (a layer {@link #splits}
     * accepts), from planes {@link #prepareRows} prepared. Thread-safe for disjoint ranges.
     */
    public void computeRows(float[] x, float[] y, float[] scratch, int from, int to) {
        requireDirectTiles();
        rows(x, 0, 0, y, 0, scratch, from, to);
    }

    /**
     * Whether a caller may fill this layer's padded input planes itself and read its sums in the wide layout
     * ({@link #paddedPlaneRow}, {@link #computeWideRows}, {@link #wideRow}): one image, one group, stride 1 with pads
     * that make the rows wider than the output's, not a small plane. {@code FmaConvolution} uses it to centre its
     * levels straight into the planes and to run its epilogue from the wide sums, saving an f32 pass over the input
     * and one over the output.
     */
    public boolean exposesWideRows() {
        return n == 1 && groups == 1 && smallPlane == null && direct && padCopy && wp != ow;
    }

    /**
     * Whether a caller may read a strided layer's sums in the wide layout ({@link #computeWideRows},
     * {@link #wideRow}) after filling its phase planes with {@link #prepareRows}: one image, one group, stride phases
     * whose rows are wider than the output's, not a small plane. {@code FmaConvolution} then runs its epilogue per
     * chunk of rows while the sums are in L2, instead of from a whole output-shaped f32 buffer (face-detection's
     * first layer: 1.44 M sums, 5.8 MB).
     */
    public boolean phasedWideRows() {
        return n == 1 && groups == 1 && smallPlane == null && winograd == null && phased && wp != ow;
    }

    /**
     * Whether the layer reads its taps gathered into planes of the output's size (strides with a kernel smaller
     * than the stride, or dilation: {@link TiledLayout#phased} is false) and a caller may fill them itself
     * ({@link #tapPlane}) and then run {@link #computeRows}: one image, one group, not a small plane.
     * {@code FmaConvolution} gathers and centres the levels in one pass: a 1x1 stride-2 layer reads a quarter of its
     * input, which the separate centring pass converted whole.
     */
    public boolean gathersTaps() {
        return n == 1 && groups == 1 && smallPlane == null && winograd == null && !direct && !phased;
    }

    /**
     * Where tap r's gathered plane starts in scratch (a layer that {@link #gathersTaps}), {@code r = (ic * kh + ky) *
     * kw + kx}: output pixel (oy, ox) at {@code oy * ow + ox} holds input (oy * sh - ph + ky * dh, ox * sw - pw + kx *
     * dw), zero where that is outside the input.
     */
    public int tapPlane(int r) {
        return r * q;
    }

    /**
     * Where row u of channel ic's zero-padded input plane starts in scratch (a layer that {@link #exposesWideRows}):
     * wp values, the input row u - ph at column pw, zero elsewhere and in the rows outside the input. Rows run to
     * {@link #preparedRows}.
     */
    public int paddedPlaneRow(int ic, int u) {
        return (ic * hp + u) * wp;
    }

    /** The wide rows' length wp: the padded planes' rows ({@link #paddedPlaneRow}) or the phase planes'. */
    public int paddedWidth() {
        return wp;
    }

    /**
     * Output rows {@code [from, to)} of every output channel, from the padded planes the caller filled (a layer that
     * {@link #exposesWideRows}) or the phase planes {@link #prepareRows} filled (one that has
     * {@link #phasedWideRows}), left in the wide layout in scratch ({@link #wideRow}). The same tiles as
     * {@link #run}, so the same values; thread-safe for disjoint ranges.
     */
    public void computeWideRows(float[] scratch, int from, int to) {
        requireDirectTiles();
        product(scratch, 0, 0, scratch, srcFloats, from * wp, Math.min(q, to * wp), null, 0);
    }

    /** Where output row oy of channel o starts in scratch after {@link #computeWideRows}: ow values. */
    public int wideRow(int o, int oy) {
        return srcFloats + o * q + oy * wp;
    }

    private void prepare(float[] x, int xGroup, float[] scratch, int from, int to) {
        if (phased) {
            phasePlanes.rows(x, xGroup, scratch, from, to);
        } else if (!direct) {
            gather(x, xGroup, scratch, from, to);
        } else if (padCopy) {
            padPlanes(x, xGroup, scratch, from, to);
        }
    }

    /**
     * Output rows {@code [from, to)} of the group's channels: the product over their pixels (in the wide layout,
     * row oy is pixels [oy * wp, oy * wp + ow)), then, when the wide rows are longer than the output's, their copy
     * into y.
     */
    private void rows(float[] x, int xGroup, int packedBase, float[] y, int yGroup, float[] scratch, int from, int to) {
        boolean wide = (direct || phased) && wp != ow;
        int rowPixels = direct || phased ? wp : ow;
        int pFrom = from * rowPixels, pTo = Math.min(q, to * rowPixels);
        float[] dst = wide ? scratch : y;
        int dstBase = wide ? srcFloats : yGroup;
        product(prepares() ? scratch : x, prepares() ? 0 : xGroup, packedBase, dst, dstBase, pFrom, pTo, epilogue,
                packedBase / k);
        if (wide) {
            for (int m = 0; m < ocg; m++) {
                for (int oy = from; oy < to; oy++) {
                    System.arraycopy(scratch, srcFloats + m * q + oy * wp, y, yGroup + (m * oh + oy) * ow, ow);
                }
            }
        }
    }

    /**
     * The group's ocg output channels: dst[dstBase + m * q + p] for p in [from, to). A pixel tail shorter than a
     * tile reruns the last full tile shifted back to end at {@code to} (the overlapped outputs are computed again in
     * the same order, so they get the same values; a tile never starts before {@code from}, so row ranges split
     * over threads write disjoint pixels); only ranges shorter than a tile use masked tiles. Masks are made inside
     * the tile methods from an int: a mask passed into a method C2 does not inline would be a heap object, and masked
     * tiles as the common tail path were the largest cost on small maps (15x15 and below).
     *
     * <p>{@code ep} (null: none) runs over each block of channels as soon as its tiles are stored (8 channels of
     * the range: L1 or L2); in the wide layout it also runs over the padding columns, which are never copied out.
     * {@code channel0}: the layer's channel of m = 0. Running the range in chunks of rows, so that the block stays
     * in L1, did not pay: face-detection FP32's first layer took as long, and the max pool reading its output
     * 620 us against 240-320 (per-layer profiles, 2026-12-03).
     */
    private void product(float[] src, int srcBase, int packedBase, float[] dst, int dstBase, int from, int to,
            ChannelEpilogue ep, int channel0) {
        int len = to - from;
        int m = 0;
        for (; m + 8 <= ocg; m += 8) {
            int pBase = packedBase + m * k;
            int d = dstBase + m * q;
            if (len >= 3 * L && covered(len, 3 * L) <= covered(len, 2 * L)) {
                for (int p = from; p < to; p += 3 * L) {
                    int at = Math.min(p, to - 3 * L);
                    tile8x3(src, srcBase + at, offsets, k, packed, pBase, dst, d + at, q);
                }
            } else if (len >= 2 * L) {
                for (int p = from; p < to; p += 2 * L) {
                    int at = Math.min(p, to - 2 * L);
                    tile8x2(src, srcBase + at, offsets, k, packed, pBase, dst, d + at, q);
                }
            } else {
                for (int p = from; p < to; p += L) {
                    int valid = Math.min(L, to - p);
                    tile4x1(src, srcBase + p, offsets, k, packed, pBase, 8, dst, d + p, q, valid);
                    tile4x1(src, srcBase + p, offsets, k, packed, pBase + 4, 8, dst, d + 4 * q + p, q, valid);
                }
            }
            if (ep != null) {
                ep.planes(dst, d, q, channel0 + m, 8, from, to);
            }
        }
        if (m + 4 <= ocg) {
            int pBase = packedBase + m * k;
            int d = dstBase + m * q;
            if (len >= 2 * L) {
                for (int p = from; p < to; p += 2 * L) {
                    int at = Math.min(p, to - 2 * L);
                    tile4x2(src, srcBase + at, offsets, k, packed, pBase, dst, d + at, q);
                }
            } else {
                for (int p = from; p < to; p += L) {
                    tile4x1(src, srcBase + p, offsets, k, packed, pBase, 4, dst, d + p, q, Math.min(L, to - p));
                }
            }
            if (ep != null) {
                ep.planes(dst, d, q, channel0 + m, 4, from, to);
            }
            m += 4;
        }
        for (; m < ocg; m++) {
            int pBase = packedBase + m * k;
            int d = dstBase + m * q;
            int p = from;
            if (len >= 4 * L) {
                for (; p < to; p += 4 * L) {
                    int at = Math.min(p, to - 4 * L);
                    tile1x4(src, srcBase + at, offsets, k, packed, pBase, dst, d + at);
                }
            } else {
                for (; p < to; p += L) {
                    tile1x1(src, srcBase + p, offsets, k, packed, pBase, dst, d + p, Math.min(L, to - p));
                }
            }
            if (ep != null) {
                ep.planes(dst, d, q, channel0 + m, 1, from, to);
            }
        }
    }

    /** Pixels that tiles of {@code width} pixels compute over a run of {@code len} (the last one shifted back). */
    private static int covered(int len, int width) {
        return (len + width - 1) / width * width;
    }

    /** 8 channels x 3L pixels; packed [r][8] from pBase; dst rows q apart. */
    private static void tile8x3(float[] src, int s, int[] off, int k, float[] pk, int pBase, float[] dst, int d, int q) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a02 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a22 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a32 = FloatVector.zero(F);
        FloatVector a40 = FloatVector.zero(F);
        FloatVector a41 = FloatVector.zero(F);
        FloatVector a42 = FloatVector.zero(F);
        FloatVector a50 = FloatVector.zero(F);
        FloatVector a51 = FloatVector.zero(F);
        FloatVector a52 = FloatVector.zero(F);
        FloatVector a60 = FloatVector.zero(F);
        FloatVector a61 = FloatVector.zero(F);
        FloatVector a62 = FloatVector.zero(F);
        FloatVector a70 = FloatVector.zero(F);
        FloatVector a71 = FloatVector.zero(F);
        FloatVector a72 = FloatVector.zero(F);
        for (int r = 0, p = pBase; r < k; r++, p += 8) {
            int at = s + off[r];
            FloatVector v0 = FloatVector.fromArray(F, src, at);
            FloatVector v1 = FloatVector.fromArray(F, src, at + 1 * L);
            FloatVector v2 = FloatVector.fromArray(F, src, at + 2 * L);
            FloatVector w = FloatVector.broadcast(F, pk[p]);
            a00 = v0.fma(w, a00);
            a01 = v1.fma(w, a01);
            a02 = v2.fma(w, a02);
            w = FloatVector.broadcast(F, pk[p + 1]);
            a10 = v0.fma(w, a10);
            a11 = v1.fma(w, a11);
            a12 = v2.fma(w, a12);
            w = FloatVector.broadcast(F, pk[p + 2]);
            a20 = v0.fma(w, a20);
            a21 = v1.fma(w, a21);
            a22 = v2.fma(w, a22);
            w = FloatVector.broadcast(F, pk[p + 3]);
            a30 = v0.fma(w, a30);
            a31 = v1.fma(w, a31);
            a32 = v2.fma(w, a32);
            w = FloatVector.broadcast(F, pk[p + 4]);
            a40 = v0.fma(w, a40);
            a41 = v1.fma(w, a41);
            a42 = v2.fma(w, a42);
            w = FloatVector.broadcast(F, pk[p + 5]);
            a50 = v0.fma(w, a50);
            a51 = v1.fma(w, a51);
            a52 = v2.fma(w, a52);
            w = FloatVector.broadcast(F, pk[p + 6]);
            a60 = v0.fma(w, a60);
            a61 = v1.fma(w, a61);
            a62 = v2.fma(w, a62);
            w = FloatVector.broadcast(F, pk[p + 7]);
            a70 = v0.fma(w, a70);
            a71 = v1.fma(w, a71);
            a72 = v2.fma(w, a72);
        }
        a00.intoArray(dst, d);
        a01.intoArray(dst, d + L);
        a02.intoArray(dst, d + 2 * L);
        a10.intoArray(dst, d + q);
        a11.intoArray(dst, d + q + L);
        a12.intoArray(dst, d + q + 2 * L);
        a20.intoArray(dst, d + 2 * q);
        a21.intoArray(dst, d + 2 * q + L);
        a22.intoArray(dst, d + 2 * q + 2 * L);
        a30.intoArray(dst, d + 3 * q);
        a31.intoArray(dst, d + 3 * q + L);
        a32.intoArray(dst, d + 3 * q + 2 * L);
        a40.intoArray(dst, d + 4 * q);
        a41.intoArray(dst, d + 4 * q + L);
        a42.intoArray(dst, d + 4 * q + 2 * L);
        a50.intoArray(dst, d + 5 * q);
        a51.intoArray(dst, d + 5 * q + L);
        a52.intoArray(dst, d + 5 * q + 2 * L);
        a60.intoArray(dst, d + 6 * q);
        a61.intoArray(dst, d + 6 * q + L);
        a62.intoArray(dst, d + 6 * q + 2 * L);
        a70.intoArray(dst, d + 7 * q);
        a71.intoArray(dst, d + 7 * q + L);
        a72.intoArray(dst, d + 7 * q + 2 * L);
    }

    /** 8 channels x 2L pixels; packed [r][8] from pBase; dst rows q apart. */
    private static void tile8x2(float[] src, int s, int[] off, int k, float[] pk, int pBase, float[] dst, int d, int q) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        FloatVector a40 = FloatVector.zero(F);
        FloatVector a41 = FloatVector.zero(F);
        FloatVector a50 = FloatVector.zero(F);
        FloatVector a51 = FloatVector.zero(F);
        FloatVector a60 = FloatVector.zero(F);
        FloatVector a61 = FloatVector.zero(F);
        FloatVector a70 = FloatVector.zero(F);
        FloatVector a71 = FloatVector.zero(F);
        for (int r = 0, p = pBase; r < k; r++, p += 8) {
            int at = s + off[r];
            FloatVector v0 = FloatVector.fromArray(F, src, at);
            FloatVector v1 = FloatVector.fromArray(F, src, at + L);
            FloatVector w = FloatVector.broadcast(F, pk[p]);
            a00 = v0.fma(w, a00);
            a01 = v1.fma(w, a01);
            w = FloatVector.broadcast(F, pk[p + 1]);
            a10 = v0.fma(w, a10);
            a11 = v1.fma(w, a11);
            w = FloatVector.broadcast(F, pk[p + 2]);
            a20 = v0.fma(w, a20);
            a21 = v1.fma(w, a21);
            w = FloatVector.broadcast(F, pk[p + 3]);
            a30 = v0.fma(w, a30);
            a31 = v1.fma(w, a31);
            w = FloatVector.broadcast(F, pk[p + 4]);
            a40 = v0.fma(w, a40);
            a41 = v1.fma(w, a41);
            w = FloatVector.broadcast(F, pk[p + 5]);
            a50 = v0.fma(w, a50);
            a51 = v1.fma(w, a51);
            w = FloatVector.broadcast(F, pk[p + 6]);
            a60 = v0.fma(w, a60);
            a61 = v1.fma(w, a61);
            w = FloatVector.broadcast(F, pk[p + 7]);
            a70 = v0.fma(w, a70);
            a71 = v1.fma(w, a71);
        }
        a00.intoArray(dst, d);
        a01.intoArray(dst, d + L);
        a10.intoArray(dst, d + q);
        a11.intoArray(dst, d + q + L);
        a20.intoArray(dst, d + 2 * q);
        a21.intoArray(dst, d + 2 * q + L);
        a30.intoArray(dst, d + 3 * q);
        a31.intoArray(dst, d + 3 * q + L);
        a40.intoArray(dst, d + 4 * q);
        a41.intoArray(dst, d + 4 * q + L);
        a50.intoArray(dst, d + 5 * q);
        a51.intoArray(dst, d + 5 * q + L);
        a60.intoArray(dst, d + 6 * q);
        a61.intoArray(dst, d + 6 * q + L);
        a70.intoArray(dst, d + 7 * q);
        a71.intoArray(dst, d + 7 * q + L);
    }

    /** 4 channels x 2L pixels; packed [r][4] from pBase; dst rows q apart. */
    private static void tile4x2(float[] src, int s, int[] off, int k, float[] pk, int pBase, float[] dst, int d, int q) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F);
        FloatVector a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F);
        FloatVector a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F);
        FloatVector a31 = FloatVector.zero(F);
        for (int r = 0, p = pBase; r < k; r++, p += 4) {
            int at = s + off[r];
            FloatVector v0 = FloatVector.fromArray(F, src, at);
            FloatVector v1 = FloatVector.fromArray(F, src, at + L);
            FloatVector w0 = FloatVector.broadcast(F, pk[p]);
            a00 = v0.fma(w0, a00);
            a01 = v1.fma(w0, a01);
            FloatVector w1 = FloatVector.broadcast(F, pk[p + 1]);
            a10 = v0.fma(w1, a10);
            a11 = v1.fma(w1, a11);
            FloatVector w2 = FloatVector.broadcast(F, pk[p + 2]);
            a20 = v0.fma(w2, a20);
            a21 = v1.fma(w2, a21);
            FloatVector w3 = FloatVector.broadcast(F, pk[p + 3]);
            a30 = v0.fma(w3, a30);
            a31 = v1.fma(w3, a31);
        }
        a00.intoArray(dst, d);
        a01.intoArray(dst, d + L);
        a10.intoArray(dst, d + q);
        a11.intoArray(dst, d + q + L);
        a20.intoArray(dst, d + 2 * q);
        a21.intoArray(dst, d + 2 * q + L);
        a30.intoArray(dst, d + 3 * q);
        a31.intoArray(dst, d + 3 * q + L);
    }

    /** 4 channels x the first {@code valid} pixels (rows shorter than a tile); packed weights {@code step} apart per r. */
    private static void tile4x1(float[] src, int s, int[] off, int k, float[] pk, int pBase, int step, float[] dst, int d,
            int q, int valid) {
        VectorMask<Float> lanes = F.indexInRange(0, valid);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int r = 0, p = pBase; r < k; r++, p += step) {
            FloatVector v = FloatVector.fromArray(F, src, s + off[r], lanes);
            a0 = v.fma(FloatVector.broadcast(F, pk[p]), a0);
            a1 = v.fma(FloatVector.broadcast(F, pk[p + 1]), a1);
            a2 = v.fma(FloatVector.broadcast(F, pk[p + 2]), a2);
            a3 = v.fma(FloatVector.broadcast(F, pk[p + 3]), a3);
        }
        a0.intoArray(dst, d, lanes);
        a1.intoArray(dst, d + q, lanes);
        a2.intoArray(dst, d + 2 * q, lanes);
        a3.intoArray(dst, d + 3 * q, lanes);
    }

    /**
     * One channel x 4L pixels: the depthwise case (one input channel per output channel, k = kh * kw taps); four
     * independent accumulators so consecutive FMAs do not wait on each other's latency.
     */
    private static void tile1x4(float[] src, int s, int[] off, int k, float[] pk, int pBase, float[] dst, int d) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int r = 0; r < k; r++) {
            int at = s + off[r];
            FloatVector wv = FloatVector.broadcast(F, pk[pBase + r]);
            a0 = FloatVector.fromArray(F, src, at).fma(wv, a0);
            a1 = FloatVector.fromArray(F, src, at + L).fma(wv, a1);
            a2 = FloatVector.fromArray(F, src, at + 2 * L).fma(wv, a2);
            a3 = FloatVector.fromArray(F, src, at + 3 * L).fma(wv, a3);
        }
        a0.intoArray(dst, d);
        a1.intoArray(dst, d + L);
        a2.intoArray(dst, d + 2 * L);
        a3.intoArray(dst, d + 3 * L);
    }

    private static void tile1x1(float[] src, int s, int[] off, int k, float[] pk, int pBase, float[] dst, int d,
            int valid) {
        VectorMask<Float> lanes = F.indexInRange(0, valid);
        FloatVector a = FloatVector.zero(F);
        for (int r = 0; r < k; r++) {
            a = FloatVector.fromArray(F, src, s + off[r], lanes).fma(FloatVector.broadcast(F, pk[pBase + r]), a);
        }
        a.intoArray(dst, d, lanes);
    }

    /**
     * Rows {@code [from, to)} of the group's padded input planes in scratch[0, icg * hp * wp): the input at (ph, pw),
     * zero elsewhere. Only the borders are zeroed, the interior is overwritten (for a depthwise layer the copy is a
     * large share of the work, a full fill would double it).
     */
    private void padPlanes(float[] x, int xGroup, float[] scratch, int from, int to) {
        for (int ic = 0; ic < icg; ic++) {
            int plane = ic * hp * wp;
            // one fill per gap: a row's right margin and the next row's left margin (or whole padding rows) are
            // contiguous, so they are zeroed together, as many fills as copied rows plus one
            int zeroFrom = plane + from * wp;
            for (int u = Math.max(from, ph); u < Math.min(to, ph + h); u++) {
                int row = plane + u * wp;
                java.util.Arrays.fill(scratch, zeroFrom, row + pw, padValue);
                System.arraycopy(x, xGroup + (ic * h + u - ph) * wd, scratch, row + pw, wd);
                zeroFrom = row + pw + wd;
            }
            java.util.Arrays.fill(scratch, zeroFrom, plane + to * wp, padValue);
        }
    }

    /**
     * row[0, n) of scratch: x[xRow + v * stride] for v in [first, last), {@code pad} elsewhere; stride 2 takes 16
     * values per step (the even lanes of two loads, as {@link Pooling} does).
     */
    static void stridedRow(float[] x, int xRow, int first, int last, int stride, float[] scratch, int row, int n,
            float pad) {
        java.util.Arrays.fill(scratch, row, row + first, pad);
        int v = first;
        if (stride == 2) {
            for (; v + L <= last && xRow + 2 * v + 2 * L <= x.length; v += L) {
                FloatVector lo = FloatVector.fromArray(F, x, xRow + 2 * v);
                FloatVector hi = FloatVector.fromArray(F, x, xRow + 2 * v + L);
                lo.rearrange(Pooling.EVENS).blend(hi.rearrange(Pooling.EVENS), Pooling.HIGH).intoArray(scratch, row + v);
            }
            if (v < last && last - v <= L && xRow + 2 * v + 2 * L <= x.length) {
                // the last rem values in one masked step: the loads stop at the last value needed (inside the row),
                // so short rows (31 values for a 30-wide output) no longer copy half their values one by one; not
                // at the array's very end, where the masked loads would take the Vector API's allocating path
                int rem = last - v, span = 2 * rem - 1;
                FloatVector lo = FloatVector.fromArray(F, x, xRow + 2 * v, F.indexInRange(0, span));
                FloatVector hi = FloatVector.fromArray(F, x, xRow + 2 * v + L, F.indexInRange(L, span));
                lo.rearrange(Pooling.EVENS).blend(hi.rearrange(Pooling.EVENS), Pooling.HIGH)
                        .intoArray(scratch, row + v, F.indexInRange(0, rem));
                v = last;
            }
        }
        for (; v < last; v++) {
            scratch[row + v] = x[xRow + v * stride];
        }
        java.util.Arrays.fill(scratch, row + last, row + n, pad);
    }

    /**
     * Output rows {@code [from, to)} of each tap's strided pixels, plane r of scratch (oh * ow values, zero where the
     * tap is in the padding).
     */
    private void gather(float[] x, int xGroup, float[] scratch, int from, int to) {
        for (int ic = 0; ic < icg; ic++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int plane = ((ic * kh + ky) * kw + kx) * q;
                    int shift = kx * dw - pw;
                    // ix = ox * sw + shift lies in [0, wd) for ox in [first, last)
                    int first = TiledLayout.firstInside(shift, sw, ow);
                    int last = TiledLayout.endInside(shift, sw, wd, ow);
                    for (int oy = from; oy < to; oy++) {
                        int row = plane + oy * ow;
                        int iy = oy * sh - ph + ky * dh;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(scratch, row, row + ow, padValue);
                            continue;
                        }
                        stridedRow(x, xGroup + (ic * h + iy) * wd + shift, first, last, sw, scratch, row, ow, padValue);
                    }
                }
            }
        }
    }

    private static WinogradTiles winogradTiles(WinogradGeometry g, float[] w, ChannelEpilogue epilogue) {
        float[] u = WinogradGeometry.transformedWeights(w, g.inChannels(), g.outChannels(), g.outputTile());
        return new WinogradTiles(g, u, new int[] {0, g.inChannels()}, epilogue);
    }

    /**
     * Weights [oc][k] reordered per group as {@link #product} reads them: 8-channel tiles as [r][8], at most one
     * 4-channel tile as [r][4], then single channels as [r].
     */
    private static float[] pack(float[] w, int groups, int ocg, int k) {
        float[] out = new float[w.length];
        for (int g = 0; g < groups; g++) {
            int base = g * ocg * k;
            int m = 0;
            for (; m + 8 <= ocg; m += 8) {
                interleave(w, out, base + m * k, k, 8);
            }
            if (m + 4 <= ocg) {
                interleave(w, out, base + m * k, k, 4);
                m += 4;
            }
            System.arraycopy(w, base + m * k, out, base + m * k, (ocg - m) * k);
        }
        return out;
    }

    /** {@code width} rows of k weights from {@code at} as [r][width]. */
    private static void interleave(float[] w, float[] out, int at, int k, int width) {
        for (int r = 0; r < k; r++) {
            for (int i = 0; i < width; i++) {
                out[at + r * width + i] = w[at + i * k + r];
            }
        }
    }
}
