package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import dev.lowbit.runtime.fp32.WinogradGeometry;
import dev.lowbit.runtime.fp32.WinogradTiles;

/**
 * The dot products of a 3x3 stride-1 int8 convolution as Winograd on the f32 FMA units ({@link WinogradTiles}):
 * F(2x2, 3x3), exact, 16 multiplications per input channel for each 2x2 block of outputs instead of 36; or, when
 * the model allows it, F(4x4, 3x3) with rounded sums, 36 for each 4x4 block, or F(3x3, 3x3), 25 for each 3x3 block
 * (the tile the f32 path picks for the shape), and F(2x2) with rounded sums in one
 * run of input channels where exact ones would need several. Which layers, why the F(2x2) sums
 * are exact and how close the rounded ones are: {@link WinogradLayout}. This class fills the engine's channels-last
 * input with the centred levels and has it write the sums NCHW for {@link FmaConvolution}'s epilogue, or, F(4x4)
 * with a quantized output (the requantization packs a tile row of four levels in one int), requantize each output tile straight into the levels ({@link #runLevels}).
 *
 * <p>Why: with no int8 dot product in the Vector API, the int8 layers run on FMA at 60-80 GMAC/s, while ONNX
 * Runtime's int8 kernels use VNNI; 2.25x fewer multiplications is the remaining lever on the 3x3 layers that
 * dominate the shared models. Immutable; {@link #run} is thread-safe with distinct buffers.
 */
final class FmaWinograd {
    /** The int8 epilogue of an F(4x4) output tile ({@link #runLevels}). */
    private static final WinogradTiles.TileLevels<Requantization> LEVELS = Epilogue::storeWinogradTile;

    private final ConvGeometry g;
    private final WinogradGeometry layout;
    private final int zeroPoint;
    /** The centred level of the input's margins: {@code z - p} (the border term), or 0. */
    private final float borderLevel;
    private final WinogradTiles tiles;

    /**
     * The layer on this path as {@link WinogradLayout#choose} decides it (the layout's {@link WinogradLayout#plan}),
     * or null: its transformed weights and runs of input channels, the output transform on int32 when the sums are
     * exact integers.
     *
     * @param borderLevel {@code z - p} for a fractional zero point z (else 0): with rounded sums the input's margins
     *                    hold it instead of the centred padding level 0, which adds the border term to every sum
     *                    that reads the padding ({@link #carriesBorderTerm}); the exact forms keep 0 there, their
     *                    output transform converts integer sums to int32, and their caller adds the term after
     */
    static FmaWinograd forLayer(ConvGeometry g, int zeroPoint, byte[] oihw, boolean exactSums, float borderLevel) {
        WinogradLayout.Choice choice = WinogradLayout.choose(g, oihw, zeroPoint, exactSums);
        return choice == null ? null : new FmaWinograd(g, zeroPoint, choice.roundedSums() ? borderLevel : 0f,
                choice.geometry(), choice.weights(), choice.runStarts(), !choice.roundedSums());
    }

    /** Whether the margins carry the border term (rounded sums and a border level), so the sums include it. */
    boolean carriesBorderTerm() {
        return borderLevel != 0;
    }

    /** @param integerSums whether every sum is an exact integer (the output transform then runs on int32) */
    private FmaWinograd(ConvGeometry g, int zeroPoint, float borderLevel, WinogradGeometry layout, float[] weights,
            int[] runStarts, boolean integerSums) {
        this.g = g;
        this.layout = layout;
        this.zeroPoint = zeroPoint;
        this.borderLevel = borderLevel;
        this.tiles = new WinogradTiles(layout, weights, integerSums, runStarts);
    }

    /** The engine's buffers: tile size and runs of input channels ({@link WinogradLayout#plan}). */
    WinogradGeometry geometry() {
        return layout;
    }

    /**
     * The dot products of the NCHW levels at {@code in[inOff]} into {@code sums} (NCHW, from 0); scratch holds
     * {@link WinogradGeometry#scratchFloats} for the workers of {@code parallel} (one when {@code split} is false).
     * Split: the channels-last copy by rows, then the blocks of tiles, each worker in its own block scratch.
     */
    void run(byte[] in, int inOff, float[] sums, float[] scratch, Parallel parallel, boolean split) {
        tiles.run(scratch, sums, 0, fillInput(in, inOff, scratch, parallel, split));
    }

    /**
     * Whether {@link #runLevels} takes the layer with epilogue {@code r}: F(4x4) (f32 sums, whose output tiles
     * already pass through scratch one by one) and a quantized output, with or without PReLU.
     */
    boolean storesLevels(Requantization r) {
        return layout.outputTile() == 4 && r.quantized();
    }

    /**
     * As {@link #run}, but each output tile is requantized by {@code r} into the NCHW levels at {@code out[outOff]}
     * while in L1 ({@link Epilogue#storeWinogradTile}), with no f32 sums written: the same levels bit for bit.
     */
    void runLevels(byte[] in, int inOff, Requantization r, byte[] out, int outOff, float[] scratch, Parallel parallel,
            boolean split) {
        tiles.run(scratch, LEVELS, r, out, outOff, fillInput(in, inOff, scratch, parallel, split));
    }

    /**
     * The engine's channels-last input from the levels, split by rows over {@code parallel} when {@code split};
     * returns what the tiles split over ({@code parallel} when split, else null: the caller alone).
     */
    private Parallel fillInput(byte[] in, int inOff, float[] scratch, Parallel parallel, boolean split) {
        int workers = split ? parallel.threads() : 1;
        if (scratch.length < layout.scratchFloats(workers)) {
            throw new IllegalArgumentException("Winograd scratch of " + scratch.length + " floats, need "
                    + layout.scratchFloats(workers) + " for " + workers + " workers");
        }
        if (!split) {
            channelsLast(in, inOff, scratch, 0, layout.inputRows());
            return null;
        }
        parallel.forRange(layout.inputRows(), (from, to, worker) -> channelsLast(in, inOff, scratch, from, to));
        return parallel;
    }

    /**
     * Rows {@code [from, to)} of the padded channels-last input {@code x[(row * columns + column) * cp + c]}: the
     * centred level {@code q - p} inside the input, 0 (the centred padding level) in the padded channels, and in the
     * margins 0 or the {@link #borderLevel}.
     */
    private void channelsLast(byte[] in, int inOff, float[] x, int from, int to) {
        int h = g.inH(), w = g.inW(), plane = h * w, cp = layout.paddedIn();
        for (int r = from; r < to; r++) {
            int first = tiles.zeroPadding(x, r);
            if (borderLevel != 0) {
                fillMargins(x, r, first);
            }
            if (first < 0) {
                continue;
            }
            int iy = r - g.padTop();
            for (int c = 0; c < g.inChannels(); c++) {
                int src = inOff + c * plane + iy * w, dst = first + c;
                for (int ix = 0; ix < w; ix++) {
                    x[dst + ix * cp] = (in[src + ix] & 0xFF) - zeroPoint;
                }
            }
        }
    }

    /**
     * The input channels of row r's margin pixels (the whole row when {@code first} is -1, a padding row) set to the
     * border level: a padded tap then adds {@code (z - p) * w}, which the bias (folded with {@code (p - z) * sum w}
     * over every tap) lacks at the borders.
     */
    private void fillMargins(float[] x, int r, int first) {
        int cp = layout.paddedIn(), columns = layout.inputColumns(), row = r * columns * cp;
        int left = layout.padLeft(), right = left + g.inW();
        for (int col = 0; col < columns; col++) {
            if (first < 0 || col < left || col >= right) {
                java.util.Arrays.fill(x, row + col * cp, row + col * cp + g.inChannels(), borderLevel);
            }
        }
    }
}
