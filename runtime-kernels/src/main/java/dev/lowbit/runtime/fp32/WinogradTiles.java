package dev.lowbit.runtime.fp32;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2x2, 3x3) for a 3x3 stride-1 convolution of one group on the f32 FMA units, from a zero-padded
 * channels-last input its caller fills ({@link WinogradGeometry}): 16 multiplications per input channel for each
 * 2x2 block of outputs instead of 36. The transform (Lavin and Gray, "Fast Algorithms for Convolutional Neural
 * Networks", 2016): {@code Y = A^T [(G g G^T) . (B^T d B)] A} over a 4x4 input tile d and the 3x3 kernel g. The
 * weights come transformed with {@code G' = 2G} (integer entries: {@link WinogradGeometry#transform}), 4x the textbook ones, so
 * {@code A^T M A = 4Y}.
 *
 * <p>f32 layers whose output planes larger tiles cover with little waste ({@link TiledLayout#winogradGeometry}) run
 * F(3x3, 3x3) or F(4x4, 3x3) instead ({@link WinogradGeometry#outputTile} 3 or 4). F(3x3): a 5x5 input tile, 25
 * multiplications per input channel for each 3x3 block of outputs (81 direct, 36 in F(2x2)), points 0, 1, -1, 2 and
 * infinity (its G in {@link WinogradGeometry#transformedWeights(float[], int, int, int)}); it covers 9x9, 6x6 and
 * 5x5 planes exactly or nearly, where 4x4 tiles waste most of theirs: same JVM, time over F(2x2)'s, random weights
 * (2026-12-05, by hand): 128 -> 128 at 9x9 0.72-0.81 (F(4x4) 1.08-1.14), at 5x5 0.76, 64 -> 128 at 6x6 0.84,
 * 64 -> 64 at 18x18 0.84-0.87 (F(4x4) 0.95-1.03). F(4x4): a 6x6 input tile, 36 multiplications per input channel
 * for each 4x4 block of outputs (144 direct, 64 in F(2x2)), the textbook G in double rounded once to f32 ({@link
 * WinogradGeometry#transformedWeights(float[], int, int, int)}), both transforms in two passes of six vectors through the block's scratch. Same JVM,
 * F(4x4) / F(2x2) time, random weights (2026-12-02, by hand): 64 -> 128 at 15x15 0.81, at 8x8 0.71, 32 -> 64 at
 * 38x38 0.78, 64 -> 64 at 18x18 0.70 and at 56x56 0.69; but 128 -> 128 at 9x9 1.12, at 5x5 1.06, 128 -> 256 at
 * 4x4 (one tile) 2.2. Its rounding error is about ten times F(2x2)'s (the coefficients reach 5 and 8; F(3x3)'s 3
 * and 4; WinogradTilesTest bounds all three), and neither has an integer form within f32's exact range, so the int8
 * layers run them only with rounded sums, when their model allows it ({@code WinogradLayout.rounded}), and F(2x2)
 * otherwise.
 *
 * <p>Two users: the int8 layers ({@code FmaConvolution}), whose centred levels and integer weights make every F(2x2)
 * sum an integer that f32 holds exactly under a bound the int8 layout checks, so the output transform runs on int32
 * and the result is the exact dot product (their F(4x4) runs as the f32 layers', and with a quantized output hands
 * each output tile to their requantization instead of scattering it: {@link TileLevels}); and the f32 layers
 * ({@link TiledConvolution}), whose output transform runs in f32 ({@code 4Y} times 0.25, exact), with a rounding
 * error bounded in TiledConvolutionTest.
 *
 * <p>Per block of tiles: (1) the input transform, 16 channels per vector; (2) per position, the product
 * {@code M[p][tile][o] = sum_c V[p][tile][c] * U[p][c][o]}, four tiles by 64 output channels per register tile (a
 * broadcast of V against vectors of U, as in a GEMM microkernel); (3) the output transform per tile and 16 output
 * channels, scattered into the NCHW output (one scatter per output pixel, a lane per channel plane). Blocks of
 * tiles keep V and M within about half of L2; their positions lie one cache line more than their tiles' rows
 * apart ({@link WinogradGeometry#inputPositionStride}): strides of a multiple of 4 KB put a tile's positions in one
 * L1 set.
 *
 * <p>Where the time goes (JFR, int8 3x3 32 -> 128 at 38x38, 514 us per call): the products about half (at that
 * share, about 100 GMAC/s of actual FMAs, more than the direct tiles' 78), the output transform a third, the
 * channels-last copy 8%, the input transform 5%. Of the output side, writing the 740 KB of sums is the larger part:
 * storing into one 4 KB region instead (wrong results, a cost probe) took the call to 391 us, while replacing the
 * scatters by gathers through L1 into whole NCHW rows gained nothing (0.90-1.05x). The output side costs the same
 * per output channel whatever the input channels, which is why layers of fewer than 32 inputs stay direct.
 * Immutable; {@link #run} is thread-safe with distinct buffers.
 */
public final class WinogradTiles {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    // Each species' exact class: conversion results are cast to it, so that C2 binds the calls on them without type
    // profiles, which other models pollute (docs/int8-kernels.md, "Conversions are cast to their exact class").
    private static final Class<? extends Vector<Float>> FLOATS_TYPE = FLOATS.vectorType();
    private static final Class<? extends Vector<Integer>> INTS_TYPE = INTS.vectorType();
    private static final int LANES = WinogradGeometry.LANES;
    private static final int STEP = WinogradGeometry.TILE_STEP;

    private final WinogradGeometry g;
    /** Whether M holds exact integers (int8 layers): the output transform then runs on int32. */
    private final boolean integerSums;
    /** Run r of input channels is {@code [runStarts[r], runStarts[r + 1])}; its products go to their own M. */
    private final int[] runStarts;
    /** What each output tile goes through before its scatter (f32 sums only), or null. */
    private final ChannelEpilogue epilogue;
    /**
     * The epilogue's bias when it is a bias and a ReLU ({@link ChannelEpilogue#biasOfBiasRelu}): applied here, in the
     * scatter loop. Other epilogues run over the tile in scratch first ({@link ChannelEpilogue#channelsLast}): a
     * ChannelEpilogue method that scattered the tile itself cost 25 us more than this loop on a 16 -> 64 layer at
     * 75x75 and, in head-pose FP16, doubled conv2's time (79 -> 164 us; by hand, 2026-12-03).
     */
    private final float[] biasRelu;
    /** Input channels, input channels padded to whole vectors, output channels (whole vectors already). */
    private final int ic, cp, oc;
    private final int tileColumns, tiles, blockTiles, blocks;
    /** Floats between positions of a block's V and of its M ({@link WinogradGeometry#inputPositionStride}). */
    private final int vStride, mStride;
    /** Outputs per tile side (2 or 4) and positions of the transformed tile (16 or 36). */
    private final int outputTile, positions;
    private final int inputFloats;
    private final int blockFloats;
    /** {@code U[p][c][o]} ({@link WinogradGeometry#transform}). */
    private final float[] weights;
    /** {@code l * outH * outW} for lane l: where a vector of 16 output channels scatters into NCHW. */
    private final int[] planeOffsets;

    /**
     * @param weights     {@code U[p][c][o]}, each 3x3 kernel transformed by {@link WinogradGeometry#transform}; kept,
     *                    not copied
     * @param integerSums whether every product and partial sum is an integer f32 holds exactly (the int8 layers)
     * @param runStarts   the first input channel of each of {@code g.channelRuns()} runs and, last, the input
     *                    channels: each run's products sum on their own, the runs add on int32 in the output
     *                    transform (integer sums only)
     */
    public WinogradTiles(WinogradGeometry g, float[] weights, boolean integerSums, int[] runStarts) {
        this(g, weights, integerSums, runStarts, null);
    }

    /**
     * As above, f32 sums only, with the output tiles passed through {@code epilogue} (null: none) before their
     * scatter into NCHW.
     */
    public WinogradTiles(WinogradGeometry g, float[] weights, int[] runStarts, ChannelEpilogue epilogue) {
        this(g, weights, false, runStarts, epilogue);
    }

    private WinogradTiles(WinogradGeometry g, float[] weights, boolean integerSums, int[] runStarts,
            ChannelEpilogue epilogue) {
        if (epilogue != null && epilogue.channels() != g.outChannels()) {
            throw new IllegalArgumentException("epilogue for " + epilogue + " on a layer of " + g.outChannels()
                    + " output channels");
        }
        if (integerSums && g.outputTile() != 2) {
            throw new IllegalArgumentException("integer sums need F(2x2, 3x3)'s integer transforms: " + g);
        }
        if (weights.length != g.positions() * g.inChannels() * g.outChannels()) {
            throw new IllegalArgumentException(weights.length + " transformed weights do not fit " + g);
        }
        if (runStarts.length != g.channelRuns() + 1 || runStarts[0] != 0
                || runStarts[runStarts.length - 1] != g.inChannels() || (!integerSums && g.channelRuns() != 1)) {
            throw new IllegalArgumentException("runs of input channels " + Arrays.toString(runStarts) + " do not fit "
                    + g + (integerSums ? "" : " with f32 sums (one run)"));
        }
        for (int r = 0; r + 1 < runStarts.length; r++) {
            if (runStarts[r] >= runStarts[r + 1]) {
                throw new IllegalArgumentException("empty run of input channels in " + Arrays.toString(runStarts));
            }
        }
        this.runStarts = runStarts.clone();
        this.epilogue = epilogue;
        this.biasRelu = epilogue == null ? null : epilogue.biasOfBiasRelu();
        this.g = g;
        this.integerSums = integerSums;
        this.ic = g.inChannels();
        this.cp = g.paddedIn();
        this.oc = g.outChannels();
        this.tileColumns = g.tileColumns();
        this.outputTile = g.outputTile();
        this.positions = g.positions();
        this.tiles = g.tiles();
        this.blockTiles = g.blockTiles();
        this.vStride = g.inputPositionStride();
        this.mStride = g.productPositionStride();
        this.blocks = (tiles + blockTiles - 1) / blockTiles;
        this.inputFloats = g.inputFloats();
        this.blockFloats = g.blockFloats();
        this.weights = weights;
        this.planeOffsets = new int[LANES];
        for (int l = 0; l < LANES; l++) {
            planeOffsets[l] = l * g.outH() * g.outW();
        }
    }

    /**
     * Every tile, from the channels-last input the caller filled at {@code s[0, inputFloats)}, into the NCHW
     * output at {@code out[outOff ..]}; scratch after the input holds {@link WinogradGeometry#blockFloats} per
     * worker of {@code parallel} (null: the caller alone). Split: the blocks of tiles, each worker in its own block
     * scratch, every tile with the same arithmetic whatever the split.
     */
    public void run(float[] s, float[] out, int outOff, Parallel parallel) {
        run(s, out, null, null, null, outOff, parallel);
    }

    /**
     * As {@link #run(float[], float[], int, Parallel)}, F(4x4, 3x3) with f32 sums only (the int8 requantization
     * packs a tile row of four levels in one int), but each output tile goes
     * to {@code levels} with {@code context} instead of the f32 scatter: the int8 layers requantize it to levels
     * in their NCHW output {@code out} at {@code outOff} while it is in L1, where writing the f32 sums and reading
     * them back cost a pass over four bytes per output (face-detection's fire4/expand3x3, 64 planes of 75x75: 1.4
     * MB, more than L2).
     */
    public <C> void run(float[] s, TileLevels<C> levels, C context, byte[] out, int outOff, Parallel parallel) {
        if (outputTile != 4 || epilogue != null) {
            throw new IllegalStateException("levels from the output tiles need F(4x4) with f32 sums and no epilogue: " + g);
        }
        run(s, null, levels, context, out, outOff, parallel);
    }

    private <C> void run(float[] s, float[] out, TileLevels<C> levels, C context, byte[] outB, int outOff,
            Parallel parallel) {
        if (parallel == null) {
            blocks(s, inputFloats, out, levels, context, outB, outOff, blockTiles, 0, blocks);
            return;
        }
        // as many equal blocks as a multiple of the threads: two threads on 81 tiles in blocks of 64 split 64 + 17
        int threads = parallel.threads();
        int count = (blocks + threads - 1) / threads * threads;
        int size = Math.min(blockTiles, ((tiles + count - 1) / count + STEP - 1) / STEP * STEP);
        parallel.forRange((tiles + size - 1) / size, (from, to, worker) -> blocks(s, inputFloats + worker * blockFloats,
                out, levels, context, outB, outOff, size, from, to));
    }

    /** Rows of the channels-last input (see {@link #channelsLast}). */
    public int inputRows() {
        return g.inputRows();
    }

    /**
     * Rows {@code [from, to)} of the padded channels-last input {@code s[(row * columns + column) * cp + c]} from the
     * NCHW floats at {@code x[xOff ..]}: the input inside, zero in the margins and padded channels.
     */
    public void channelsLast(float[] x, int xOff, float[] s, int from, int to) {
        int h = g.inH(), w = g.inW(), plane = h * w;
        for (int r = from; r < to; r++) {
            int first = zeroPadding(s, r);
            if (first < 0) {
                continue;
            }
            int iy = r - g.padTop();
            for (int c = 0; c < ic; c++) {
                int src = xOff + c * plane + iy * w, dst = first + c;
                for (int ix = 0; ix < w; ix++) {
                    s[dst + ix * cp] = x[src + ix];
                }
            }
        }
    }

    /**
     * Zeroes what row r of the channels-last input holds outside the input: the whole row above or below it, else
     * the left and right margins and the padded channels of every pixel. Returns where the row's first input pixel
     * starts (its channels then follow at +1 each), or -1 for a padding row. Shared by the f32 copy above and the
     * int8 layers' copy of centred levels.
     */
    public int zeroPadding(float[] s, int r) {
        int h = g.inH(), w = g.inW(), left = g.padLeft(), rowFloats = g.inputColumns() * cp;
        int row = r * rowFloats, iy = r - g.padTop();
        if (iy < 0 || iy >= h) {
            Arrays.fill(s, row, row + rowFloats, 0f);
            return -1;
        }
        Arrays.fill(s, row, row + left * cp, 0f);
        Arrays.fill(s, row + (left + w) * cp, row + rowFloats, 0f);
        int first = row + left * cp;
        if (cp > ic) {
            for (int ix = 0; ix < w; ix++) {
                Arrays.fill(s, first + ix * cp + ic, first + (ix + 1) * cp, 0f);
            }
        }
        return first;
    }

    /**
     * Blocks {@code [from, to)} of {@code size} tiles (a multiple of 4, at most {@link #blockTiles}, whose strides
     * the block scratch at {@code s[at ..]} keeps): V, then M per run of input channels. Every tile gets the same
     * arithmetic whatever the size.
     */
    private <C> void blocks(float[] s, int at, float[] out, TileLevels<C> levels, C context, byte[] outB, int outOff,
            int size, int from, int to) {
        int products = at + positions * vStride;
        for (int b = from; b < to; b++) {
            int t0 = b * size, count = Math.min(size, tiles - t0);
            int stepped = (count + STEP - 1) / STEP * STEP;
            if (outputTile == 2) {
                inputTransform(s, at, t0, count);
            } else {
                inputTransformLarge(s, at, t0, count, products + positions * mStride);
            }
            for (int p = 0; p < positions; p++) {
                Arrays.fill(s, at + p * vStride + count * cp, at + p * vStride + stepped * cp, 0f);
            }
            for (int r = 0; r + 1 < runStarts.length; r++) {
                for (int p = 0; p < positions; p++) {
                    multiply(s, at + p * vStride, products + (r * positions + p) * mStride, stepped,
                            p * ic * oc, runStarts[r], runStarts[r + 1]);
                }
            }
            if (outputTile == 2) {
                outputTransform(s, products, t0, count, out, outOff);
            } else {
                outputTransformLarge(s, products, t0, count, out, levels, context, outB, outOff);
            }
        }
    }

    /**
     * {@code V[p][j][c] = (B^T d B)[p]} for tiles {@code t0 + j}, j < count, 16 channels per vector (F(2x2, 3x3));
     * the caller zeroes tiles {@code [count, stepped)} (the microkernel runs whole steps of four tiles; their
     * products are never stored).
     */
    private void inputTransform(float[] s, int v, int t0, int count) {
        int columns = g.inputColumns(), rowStride = columns * cp, pStride = vStride;
        for (int j = 0; j < count; j++) {
            int t = t0 + j, ty = t / tileColumns, tx = t - ty * tileColumns;
            int base = (2 * ty * columns + 2 * tx) * cp;
            int to = v + j * cp;
            for (int c = 0; c < cp; c += LANES) {
                int r0 = base + c, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
                // B^T d: per column b, (d0 - d2, d1 + d2, d2 - d1, d1 - d3) over the tile's rows
                FloatVector d0 = FloatVector.fromArray(FLOATS, s, r0), d1 = FloatVector.fromArray(FLOATS, s, r1);
                FloatVector d2 = FloatVector.fromArray(FLOATS, s, r2), d3 = FloatVector.fromArray(FLOATS, s, r3);
                FloatVector a0 = d0.sub(d2), a1 = d1.add(d2), a2 = d2.sub(d1), a3 = d1.sub(d3);
                d0 = FloatVector.fromArray(FLOATS, s, r0 + cp);
                d1 = FloatVector.fromArray(FLOATS, s, r1 + cp);
                d2 = FloatVector.fromArray(FLOATS, s, r2 + cp);
                d3 = FloatVector.fromArray(FLOATS, s, r3 + cp);
                FloatVector b0 = d0.sub(d2), b1 = d1.add(d2), b2 = d2.sub(d1), b3 = d1.sub(d3);
                d0 = FloatVector.fromArray(FLOATS, s, r0 + 2 * cp);
                d1 = FloatVector.fromArray(FLOATS, s, r1 + 2 * cp);
                d2 = FloatVector.fromArray(FLOATS, s, r2 + 2 * cp);
                d3 = FloatVector.fromArray(FLOATS, s, r3 + 2 * cp);
                FloatVector c0 = d0.sub(d2), c1 = d1.add(d2), c2 = d2.sub(d1), c3 = d1.sub(d3);
                d0 = FloatVector.fromArray(FLOATS, s, r0 + 3 * cp);
                d1 = FloatVector.fromArray(FLOATS, s, r1 + 3 * cp);
                d2 = FloatVector.fromArray(FLOATS, s, r2 + 3 * cp);
                d3 = FloatVector.fromArray(FLOATS, s, r3 + 3 * cp);
                FloatVector e0 = d0.sub(d2), e1 = d1.add(d2), e2 = d2.sub(d1), e3 = d1.sub(d3);
                // (B^T d) B: per row i, (x0 - x2, x1 + x2, x2 - x1, x1 - x3) over the columns a, b, c, e
                int o = to + c;
                a0.sub(c0).intoArray(s, o);
                b0.add(c0).intoArray(s, o + pStride);
                c0.sub(b0).intoArray(s, o + 2 * pStride);
                b0.sub(e0).intoArray(s, o + 3 * pStride);
                a1.sub(c1).intoArray(s, o + 4 * pStride);
                b1.add(c1).intoArray(s, o + 5 * pStride);
                c1.sub(b1).intoArray(s, o + 6 * pStride);
                b1.sub(e1).intoArray(s, o + 7 * pStride);
                a2.sub(c2).intoArray(s, o + 8 * pStride);
                b2.add(c2).intoArray(s, o + 9 * pStride);
                c2.sub(b2).intoArray(s, o + 10 * pStride);
                b2.sub(e2).intoArray(s, o + 11 * pStride);
                a3.sub(c3).intoArray(s, o + 12 * pStride);
                b3.add(c3).intoArray(s, o + 13 * pStride);
                c3.sub(b3).intoArray(s, o + 14 * pStride);
                b3.sub(e3).intoArray(s, o + 15 * pStride);
            }
        }
    }

    /**
     * F(4x4, 3x3)'s or F(3x3, 3x3)'s {@code V[p][j][c] = (B^T d B)[p]} for tiles {@code t0 + j}, j < count, 16
     * channels per vector: {@code B^T d} per column of the n x n input tile (n = 6 or 5) into the n^2 vectors at
     * {@code s[tmp ..]}, then {@code (B^T d) B} per row into the n^2 positions.
     */
    private void inputTransformLarge(float[] s, int v, int t0, int count, int tmp) {
        int columns = g.inputColumns(), rowStride = columns * cp, pStride = vStride, n = outputTile + 2;
        for (int j = 0; j < count; j++) {
            int t = t0 + j, ty = t / tileColumns, tx = t - ty * tileColumns;
            int base = (outputTile * ty * columns + outputTile * tx) * cp;
            for (int c = 0; c < cp; c += LANES) {
                for (int k = 0; k < n; k++) {
                    inputRows(s, base + k * cp + c, rowStride, tmp + k * LANES, n * LANES);
                }
                for (int i = 0; i < n; i++) {
                    inputRows(s, tmp + n * i * LANES, LANES, v + n * i * pStride + j * cp + c, pStride);
                }
            }
        }
    }

    /** {@code B^T x} of this layer's tile ({@link #inputRows6} or {@link #inputRows5}). */
    private void inputRows(float[] s, int in, int inStride, int out, int outStride) {
        if (outputTile == 4) {
            inputRows6(s, in, inStride, out, outStride);
        } else {
            inputRows5(s, in, inStride, out, outStride);
        }
    }

    /**
     * {@code B^T x} for F(3x3, 3x3) on five vectors {@code x_i = s[in + i * inStride]}, written to
     * {@code s[out + i * outStride]}: rows (2, -1, -2, 1, 0), (0, -2, -1, 1, 0), (0, 2, -3, 1, 0), (0, -1, 0, 1, 0),
     * (0, 2, -1, -2, 1) (points 0, 1, -1, 2 and infinity; the weight transform is in
     * {@link WinogradGeometry#transformedWeights(float[], int, int, int)}).
     */
    private static void inputRows5(float[] s, int in, int inStride, int out, int outStride) {
        FloatVector x0 = FloatVector.fromArray(FLOATS, s, in);
        FloatVector x1 = FloatVector.fromArray(FLOATS, s, in + inStride);
        FloatVector x2 = FloatVector.fromArray(FLOATS, s, in + 2 * inStride);
        FloatVector x3 = FloatVector.fromArray(FLOATS, s, in + 3 * inStride);
        FloatVector x4 = FloatVector.fromArray(FLOATS, s, in + 4 * inStride);
        FloatVector dif31 = x3.sub(x1), sum31 = x3.add(x1);
        x0.sub(x2).mul(2f).add(dif31).intoArray(s, out);
        dif31.sub(x1.add(x2)).intoArray(s, out + outStride);
        sum31.add(x1).sub(x2.mul(3f)).intoArray(s, out + 2 * outStride);
        dif31.intoArray(s, out + 3 * outStride);
        x1.sub(x3).mul(2f).sub(x2).add(x4).intoArray(s, out + 4 * outStride);
    }

    /**
     * {@code B^T x} for F(4x4, 3x3) on six vectors {@code x_i = s[in + i * inStride]}, written to
     * {@code s[out + i * outStride]}: rows (4, 0, -5, 0, 1, 0), (0, -4, -4, 1, 1, 0), (0, 4, -4, -1, 1, 0),
     * (0, -2, -1, 2, 1, 0), (0, 2, -1, -2, 1, 0), (0, 4, 0, -5, 0, 1).
     */
    private static void inputRows6(float[] s, int in, int inStride, int out, int outStride) {
        FloatVector x0 = FloatVector.fromArray(FLOATS, s, in);
        FloatVector x1 = FloatVector.fromArray(FLOATS, s, in + inStride);
        FloatVector x2 = FloatVector.fromArray(FLOATS, s, in + 2 * inStride);
        FloatVector x3 = FloatVector.fromArray(FLOATS, s, in + 3 * inStride);
        FloatVector x4 = FloatVector.fromArray(FLOATS, s, in + 4 * inStride);
        FloatVector x5 = FloatVector.fromArray(FLOATS, s, in + 5 * inStride);
        FloatVector a = x4.sub(x2), b = x1.sub(x3), sum12 = x1.add(x2), dif12 = x1.sub(x2);
        x0.mul(4f).add(x2.mul(-5f).add(x4)).intoArray(s, out);
        x4.add(x3).sub(sum12.mul(4f)).intoArray(s, out + outStride);
        x4.sub(x3).add(dif12.mul(4f)).intoArray(s, out + 2 * outStride);
        a.sub(b.mul(2f)).intoArray(s, out + 3 * outStride);
        a.add(b.mul(2f)).intoArray(s, out + 4 * outStride);
        x1.mul(4f).add(x3.mul(-5f).add(x5)).intoArray(s, out + 5 * outStride);
    }

    /**
     * F(4x4, 3x3)'s or F(3x3, 3x3)'s {@code Y = A^T M A} for tiles {@code t0 + j}, j < count, 16 output channels per
     * vector: {@code A^T M} per column into m x n vectors after the products (m = 4 or 3 outputs, n = m + 2), then
     * per row into the tile's m^2 outputs, which go out by one 16-lane scatter per output pixel, or lane by lane for
     * a tile past the plane's last row or column.
     */
    private <C> void outputTransformLarge(float[] s, int m, int t0, int count, float[] out, TileLevels<C> levels,
            C context, byte[] outB, int outOff) {
        int pStride = mStride, oh = g.outH(), ow = g.outW(), plane = oh * ow, side = outputTile, n = side + 2;
        int columns = m + positions * pStride, y = columns + side * n * LANES;
        for (int j = 0; j < count; j++) {
            int t = t0 + j, ty = t / tileColumns, tx = t - ty * tileColumns;
            int oy = side * ty, ox = side * tx, rows = Math.min(side, oh - oy), cols = Math.min(side, ow - ox);
            for (int o = 0; o < oc; o += LANES) {
                int at = m + j * oc + o;
                for (int k = 0; k < n; k++) {
                    outputRows(s, at + k * pStride, n * pStride, columns + k * LANES, n * LANES);
                }
                for (int i = 0; i < side; i++) {
                    outputRows(s, columns + n * i * LANES, LANES, y + side * i * LANES, LANES);
                }
                int to = outOff + o * plane + oy * ow + ox;
                if (levels != null) {
                    levels.store(context, s, y, o, rows, cols, outB, to, plane, ow);
                    continue;
                }
                boolean whole = rows == side && cols == side;
                if (whole && biasRelu != null) {
                    FloatVector bias = FloatVector.fromArray(FLOATS, biasRelu, o);
                    FloatVector zero = FloatVector.zero(FLOATS);
                    for (int i = 0; i < side; i++) {
                        for (int x = 0; x < side; x++) {
                            FloatVector v = FloatVector.fromArray(FLOATS, s, y + (side * i + x) * LANES).add(bias);
                            // max(v, 0) as Math.max: +0 for -0, NaN kept; a compare and a blend, not max's NaN fix-ups
                            v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(out, to + i * ow + x,
                                    planeOffsets, 0);
                        }
                    }
                    continue;
                }
                if (epilogue != null) {
                    epilogue.channelsLast(s, y, side * side, o);
                }
                if (whole) {
                    for (int i = 0; i < side; i++) {
                        for (int x = 0; x < side; x++) {
                            FloatVector.fromArray(FLOATS, s, y + (side * i + x) * LANES).intoArray(out,
                                    to + i * ow + x, planeOffsets, 0);
                        }
                    }
                    continue;
                }
                for (int i = 0; i < rows; i++) {
                    for (int x = 0; x < cols; x++) {
                        for (int l = 0; l < LANES; l++) {
                            out[to + l * plane + i * ow + x] = s[y + (side * i + x) * LANES + l];
                        }
                    }
                }
            }
        }
    }

    /** {@code A^T x} of this layer's tile ({@link #outputRows6} or {@link #outputRows5}). */
    private void outputRows(float[] s, int in, int inStride, int out, int outStride) {
        if (outputTile == 4) {
            outputRows6(s, in, inStride, out, outStride);
        } else {
            outputRows5(s, in, inStride, out, outStride);
        }
    }

    /**
     * {@code A^T x} for F(3x3, 3x3) on five vectors {@code x_i = s[in + i * inStride]}, written to
     * {@code s[out + i * outStride]}, i < 3: rows (1, 1, 1, 1, 0), (0, 1, -1, 2, 0), (0, 1, 1, 4, 1).
     */
    private static void outputRows5(float[] s, int in, int inStride, int out, int outStride) {
        FloatVector x0 = FloatVector.fromArray(FLOATS, s, in);
        FloatVector x1 = FloatVector.fromArray(FLOATS, s, in + inStride);
        FloatVector x2 = FloatVector.fromArray(FLOATS, s, in + 2 * inStride);
        FloatVector x3 = FloatVector.fromArray(FLOATS, s, in + 3 * inStride);
        FloatVector x4 = FloatVector.fromArray(FLOATS, s, in + 4 * inStride);
        FloatVector sum12 = x1.add(x2);
        x0.add(sum12).add(x3).intoArray(s, out);
        x1.sub(x2).add(x3.mul(2f)).intoArray(s, out + outStride);
        sum12.add(x3.mul(4f)).add(x4).intoArray(s, out + 2 * outStride);
    }

    /**
     * {@code A^T x} for F(4x4, 3x3) on six vectors {@code x_i = s[in + i * inStride]}, written to
     * {@code s[out + i * outStride]}, i < 4: rows (1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 0), (0, 1, 1, 4, 4, 0),
     * (0, 1, -1, 8, -8, 1).
     */
    private static void outputRows6(float[] s, int in, int inStride, int out, int outStride) {
        FloatVector x0 = FloatVector.fromArray(FLOATS, s, in);
        FloatVector x1 = FloatVector.fromArray(FLOATS, s, in + inStride);
        FloatVector x2 = FloatVector.fromArray(FLOATS, s, in + 2 * inStride);
        FloatVector x3 = FloatVector.fromArray(FLOATS, s, in + 3 * inStride);
        FloatVector x4 = FloatVector.fromArray(FLOATS, s, in + 4 * inStride);
        FloatVector x5 = FloatVector.fromArray(FLOATS, s, in + 5 * inStride);
        FloatVector sum12 = x1.add(x2), dif12 = x1.sub(x2), sum34 = x3.add(x4), dif34 = x3.sub(x4);
        x0.add(sum12).add(sum34).intoArray(s, out);
        dif12.add(dif34.mul(2f)).intoArray(s, out + outStride);
        sum12.add(sum34.mul(4f)).intoArray(s, out + 2 * outStride);
        dif12.add(dif34.mul(8f)).add(x5).intoArray(s, out + 3 * outStride);
    }

    /**
     * One position and run of input channels {@code [c0, c1)}: {@code M[j][o] = sum_c V[j][c] * U[c][o]} for tiles
     * {@code j < stepped} (V at {@code s[v]},
     * rows of cp; M at {@code s[m]}, rows of oc; U at {@code weights[w]}, rows of oc). Output channels in blocks of
     * 64, then 32, then 16, each over all tiles, so the block's weights stay in L1 while V streams.
     */
    private void multiply(float[] s, int v, int m, int stepped, int w, int c0, int c1) {
        int o = 0;
        for (; o + 4 * LANES <= oc; o += 4 * LANES) {
            for (int j = 0; j < stepped; j += STEP) {
                tile4x4(s, v + j * cp, m + j * oc + o, w + o, c0, c1);
            }
        }
        for (; o + 2 * LANES <= oc; o += 2 * LANES) {
            for (int j = 0; j < stepped; j += STEP) {
                tile4x2(s, v + j * cp, m + j * oc + o, w + o, c0, c1);
            }
        }
        for (; o < oc; o += LANES) {
            for (int j = 0; j < stepped; j += STEP) {
                tile4x1(s, v + j * cp, m + j * oc + o, w + o, c0, c1);
            }
        }
    }

    /** Four tiles by 64 output channels: 16 accumulators, per channel 4 loads of U and 4 broadcasts of V. */
    private void tile4x4(float[] s, int v, int m, int w, int c0, int c1) {
        FloatVector a00 = FloatVector.zero(FLOATS), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        float[] u = weights;
        for (int c = c0; c < c1; c++) {
            int k = w + c * oc;
            FloatVector u0 = FloatVector.fromArray(FLOATS, u, k);
            FloatVector u1 = FloatVector.fromArray(FLOATS, u, k + LANES);
            FloatVector u2 = FloatVector.fromArray(FLOATS, u, k + 2 * LANES);
            FloatVector u3 = FloatVector.fromArray(FLOATS, u, k + 3 * LANES);
            FloatVector x = FloatVector.broadcast(FLOATS, s[v + c]);
            a00 = u0.fma(x, a00);
            a01 = u1.fma(x, a01);
            a02 = u2.fma(x, a02);
            a03 = u3.fma(x, a03);
            x = FloatVector.broadcast(FLOATS, s[v + cp + c]);
            a10 = u0.fma(x, a10);
            a11 = u1.fma(x, a11);
            a12 = u2.fma(x, a12);
            a13 = u3.fma(x, a13);
            x = FloatVector.broadcast(FLOATS, s[v + 2 * cp + c]);
            a20 = u0.fma(x, a20);
            a21 = u1.fma(x, a21);
            a22 = u2.fma(x, a22);
            a23 = u3.fma(x, a23);
            x = FloatVector.broadcast(FLOATS, s[v + 3 * cp + c]);
            a30 = u0.fma(x, a30);
            a31 = u1.fma(x, a31);
            a32 = u2.fma(x, a32);
            a33 = u3.fma(x, a33);
        }
        a00.intoArray(s, m);
        a01.intoArray(s, m + LANES);
        a02.intoArray(s, m + 2 * LANES);
        a03.intoArray(s, m + 3 * LANES);
        a10.intoArray(s, m + oc);
        a11.intoArray(s, m + oc + LANES);
        a12.intoArray(s, m + oc + 2 * LANES);
        a13.intoArray(s, m + oc + 3 * LANES);
        a20.intoArray(s, m + 2 * oc);
        a21.intoArray(s, m + 2 * oc + LANES);
        a22.intoArray(s, m + 2 * oc + 2 * LANES);
        a23.intoArray(s, m + 2 * oc + 3 * LANES);
        a30.intoArray(s, m + 3 * oc);
        a31.intoArray(s, m + 3 * oc + LANES);
        a32.intoArray(s, m + 3 * oc + 2 * LANES);
        a33.intoArray(s, m + 3 * oc + 3 * LANES);
    }

    /** Four tiles by 32 output channels. */
    private void tile4x2(float[] s, int v, int m, int w, int c0, int c1) {
        FloatVector a00 = FloatVector.zero(FLOATS), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        float[] u = weights;
        for (int c = c0; c < c1; c++) {
            int k = w + c * oc;
            FloatVector u0 = FloatVector.fromArray(FLOATS, u, k);
            FloatVector u1 = FloatVector.fromArray(FLOATS, u, k + LANES);
            FloatVector x = FloatVector.broadcast(FLOATS, s[v + c]);
            a00 = u0.fma(x, a00);
            a01 = u1.fma(x, a01);
            x = FloatVector.broadcast(FLOATS, s[v + cp + c]);
            a10 = u0.fma(x, a10);
            a11 = u1.fma(x, a11);
            x = FloatVector.broadcast(FLOATS, s[v + 2 * cp + c]);
            a20 = u0.fma(x, a20);
            a21 = u1.fma(x, a21);
            x = FloatVector.broadcast(FLOATS, s[v + 3 * cp + c]);
            a30 = u0.fma(x, a30);
            a31 = u1.fma(x, a31);
        }
        a00.intoArray(s, m);
        a01.intoArray(s, m + LANES);
        a10.intoArray(s, m + oc);
        a11.intoArray(s, m + oc + LANES);
        a20.intoArray(s, m + 2 * oc);
        a21.intoArray(s, m + 2 * oc + LANES);
        a30.intoArray(s, m + 3 * oc);
        a31.intoArray(s, m + 3 * oc + LANES);
    }

    /** Four tiles by 16 output channels. */
    private void tile4x1(float[] s, int v, int m, int w, int c0, int c1) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0;
        float[] u = weights;
        for (int c = c0; c < c1; c++) {
            FloatVector u0 = FloatVector.fromArray(FLOATS, u, w + c * oc);
            a0 = u0.fma(FloatVector.broadcast(FLOATS, s[v + c]), a0);
            a1 = u0.fma(FloatVector.broadcast(FLOATS, s[v + cp + c]), a1);
            a2 = u0.fma(FloatVector.broadcast(FLOATS, s[v + 2 * cp + c]), a2);
            a3 = u0.fma(FloatVector.broadcast(FLOATS, s[v + 3 * cp + c]), a3);
        }
        a0.intoArray(s, m);
        a1.intoArray(s, m + oc);
        a2.intoArray(s, m + 2 * oc);
        a3.intoArray(s, m + 3 * oc);
    }

    /**
     * {@code 4Y = A^T M A} on int32 for tiles {@code t0 + j}, j < count, 16 output channels per vector, then
     * {@code Y = 4Y >> 2} (exact: 4Y is a multiple of 4) stored NCHW as f32, outputs past the plane's last row or
     * column skipped. The vectors run across channels and the tensor is NCHW, so the four outputs {@link
     * #transformTile} leaves as f32 at {@code s[lanes ..]} go out by one 16-lane scatter per output pixel, or lane
     * by lane for a tile on the plane's last row or column.
     */
    private void outputTransform(float[] s, int m, int t0, int count, float[] out, int outOff) {
        int pStride = mStride, oh = g.outH(), ow = g.outW(), plane = oh * ow, runs = runStarts.length - 1;
        int lanes = m + runs * positions * pStride;
        for (int j = 0; j < count; j++) {
            int t = t0 + j, ty = t / tileColumns, tx = t - ty * tileColumns;
            int oy = 2 * ty, ox = 2 * tx, pixel = oy * ow + ox;
            boolean right = ox + 1 < ow, down = oy + 1 < oh;
            for (int o = 0; o < oc; o += LANES) {
                if (integerSums) {
                    transformIntegerTile(s, m + j * oc + o, pStride, lanes, runs);
                } else {
                    transformTile(s, m + j * oc + o, pStride, lanes);
                }
                int to = outOff + o * plane + pixel;
                if (right && down && biasRelu != null) {
                    FloatVector bias = FloatVector.fromArray(FLOATS, biasRelu, o);
                    FloatVector zero = FloatVector.zero(FLOATS);
                    for (int i = 0; i < 4; i++) {
                        FloatVector v = FloatVector.fromArray(FLOATS, s, lanes + i * LANES).add(bias);
                        v.blend(zero, v.compare(VectorOperators.LE, zero)).intoArray(out, to + (i >> 1) * ow + (i & 1),
                                planeOffsets, 0);
                    }
                    continue;
                }
                if (epilogue != null) {
                    epilogue.channelsLast(s, lanes, 4, o);
                }
                if (right && down) {
                    // one scatter per output pixel: lane l to channel o + l's plane
                    FloatVector.fromArray(FLOATS, s, lanes).intoArray(out, to, planeOffsets, 0);
                    FloatVector.fromArray(FLOATS, s, lanes + LANES).intoArray(out, to + 1, planeOffsets, 0);
                    FloatVector.fromArray(FLOATS, s, lanes + 2 * LANES).intoArray(out, to + ow, planeOffsets, 0);
                    FloatVector.fromArray(FLOATS, s, lanes + 3 * LANES).intoArray(out, to + ow + 1, planeOffsets, 0);
                    continue;
                }
                for (int l = 0; l < LANES; l++) {
                    int at = to + l * plane;
                    out[at] = s[lanes + l];
                    if (right) {
                        out[at + 1] = s[lanes + LANES + l];
                    }
                    if (down) {
                        out[at + ow] = s[lanes + 2 * LANES + l];
                        if (right) {
                            out[at + ow + 1] = s[lanes + 3 * LANES + l];
                        }
                    }
                }
            }
        }
    }

    /**
     * One tile's {@code Y = (A^T M A) / 4} in f32 for 16 output channels (f32 layers), M's positions at
     * {@code s[at + p * pStride]}, written to {@code s[lanes ..]} as Y00, Y01, Y10, Y11: per column j,
     * {@code r0 = (M[0][j] + M[1][j]) + M[2][j]} and {@code r1 = (M[1][j] - M[2][j]) - M[3][j]}, then the same per
     * row, then times 0.25 (exact).
     */
    private static void transformTile(float[] s, int at, int pStride, int lanes) {
        int columns = lanes + 4 * LANES;
        for (int j = 0; j < 4; j++) {
            FloatVector m0 = FloatVector.fromArray(FLOATS, s, at + j * pStride);
            FloatVector m1 = FloatVector.fromArray(FLOATS, s, at + (4 + j) * pStride);
            FloatVector m2 = FloatVector.fromArray(FLOATS, s, at + (8 + j) * pStride);
            FloatVector m3 = FloatVector.fromArray(FLOATS, s, at + (12 + j) * pStride);
            m0.add(m1).add(m2).intoArray(s, columns + j * LANES);
            m1.sub(m2).sub(m3).intoArray(s, columns + (4 + j) * LANES);
        }
        for (int r = 0; r < 2; r++) {
            int row = columns + 4 * r * LANES;
            FloatVector r0 = FloatVector.fromArray(FLOATS, s, row), r1 = FloatVector.fromArray(FLOATS, s, row + LANES);
            FloatVector r2 = FloatVector.fromArray(FLOATS, s, row + 2 * LANES);
            FloatVector r3 = FloatVector.fromArray(FLOATS, s, row + 3 * LANES);
            r0.add(r1).add(r2).mul(0.25f).intoArray(s, lanes + 2 * r * LANES);
            r1.sub(r2).sub(r3).mul(0.25f).intoArray(s, lanes + (2 * r + 1) * LANES);
        }
    }

    /**
     * One tile's {@code Y = (A^T M A) >> 2} for 16 output channels, M's positions at {@code s[at + p * pStride]}
     * (each the int32 sum of its runs' M), written as f32 to {@code s[lanes ..]}: Y00, Y01, Y10, Y11, 16 lanes each. First per column j,
     * {@code r0 = M[0][j] + M[1][j] + M[2][j]} and {@code r1 = M[1][j] - M[2][j] - M[3][j]} (to
     * {@code s[lanes + 64 ..]} as int32 bits), then per row {@code (r_0 + r_1 + r_2, r_1 - r_2 - r_3)}. Loops, not unrolled
     * source: the 16 conversions written out exceeded C2's inlining node budget, which left them boxed
     * (864 bytes per tile and 16 channels).
     */
    private static void transformIntegerTile(float[] s, int at, int pStride, int lanes, int runs) {
        int columns = lanes + 4 * LANES, runStride = WinogradGeometry.POSITIONS * pStride;
        for (int j = 0; j < 4; j++) {
            // each run's sum is an integer within 2^24 (exact in f32), their total within 2^31 / 9
            IntVector m0 = IntVector.zero(INTS), m1 = m0, m2 = m0, m3 = m0;
            for (int r = 0, a = at + j * pStride; r < runs; r++, a += runStride) {
                m0 = ((IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, a)
                        .convertShape(VectorOperators.F2I, INTS, 0))).add(m0);
                m1 = ((IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, a + 4 * pStride)
                        .convertShape(VectorOperators.F2I, INTS, 0))).add(m1);
                m2 = ((IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, a + 8 * pStride)
                        .convertShape(VectorOperators.F2I, INTS, 0))).add(m2);
                m3 = ((IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, a + 12 * pStride)
                        .convertShape(VectorOperators.F2I, INTS, 0))).add(m3);
            }
            ((FloatVector) FLOATS_TYPE.cast(m0.add(m1).add(m2).reinterpretShape(FLOATS, 0)))
                    .intoArray(s, columns + j * LANES);
            ((FloatVector) FLOATS_TYPE.cast(m1.sub(m2).sub(m3).reinterpretShape(FLOATS, 0)))
                    .intoArray(s, columns + (4 + j) * LANES);
        }
        for (int r = 0; r < 2; r++) {
            int row = columns + 4 * r * LANES;
            IntVector r0 = (IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, row).reinterpretShape(INTS, 0));
            IntVector r1 = (IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, row + LANES)
                    .reinterpretShape(INTS, 0));
            IntVector r2 = (IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, row + 2 * LANES)
                    .reinterpretShape(INTS, 0));
            IntVector r3 = (IntVector) INTS_TYPE.cast(FloatVector.fromArray(FLOATS, s, row + 3 * LANES)
                    .reinterpretShape(INTS, 0));
            // 4Y >> 2 as f32
            ((FloatVector) FLOATS_TYPE.cast(r0.add(r1).add(r2).lanewise(VectorOperators.ASHR, 2)
                    .convertShape(VectorOperators.I2F, FLOATS, 0)))
                    .intoArray(s, lanes + 2 * r * LANES);
            ((FloatVector) FLOATS_TYPE.cast(r1.sub(r2).sub(r3).lanewise(VectorOperators.ASHR, 2)
                    .convertShape(VectorOperators.I2F, FLOATS, 0)))
                    .intoArray(s, lanes + (2 * r + 1) * LANES);
        }
    }

    /**
     * Where {@link #run(float[], TileLevels, Object, byte[], int, Parallel)} sends each output tile of F(4x4, 3x3):
     * the int8 layers' requantization. An implementation reads the tile from scratch and never receives or returns
     * vectors (C2 boxes vectors that cross a call it does not inline). Called on the worker threads of a split run,
     * each with its own tiles, so an implementation must be safe for concurrent calls (the int8 one is stateless).
     *
     * @param <C> what the implementation needs besides the tile (the int8 layers: their epilogue constants)
     */
    @FunctionalInterface
    public interface TileLevels<C> {
        /**
         * Output channels {@code [channel, channel + 16)} of one tile, the sum of pixel (i, x) in lane l at
         * {@code s[y + (4 * i + x) * 16 + l]}, into {@code out[to + l * plane + i * rowStride + x]} for the
         * {@code rows} x {@code cols} pixels inside the output (4 x 4 but at its last row and column of tiles).
         * May overwrite the tile in {@code s}.
         */
        void store(C context, float[] s, int y, int channel, int rows, int cols, byte[] out, int to, int plane,
                int rowStride);
    }
}
