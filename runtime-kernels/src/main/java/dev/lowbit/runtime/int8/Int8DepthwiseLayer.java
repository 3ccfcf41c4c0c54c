package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.pack.DepthwiseWeightLayout;
import java.util.Objects;

/**
 * One int8 depthwise convolution as {@link Int8DepthwiseConvolution} reads it: geometry (groups = in = out
 * channels), input quantization, weights in {@link DepthwiseWeightLayout}, and the build-time compensation
 * {@code z_x * sum(w[c])} (zero point in the unsigned domain: i8's plus 128). Immutable and thread-safe.
 */
public final class Int8DepthwiseLayer {
    private final ConvGeometry geometry;
    private final QuantizedInput input;
    private final DepthwiseWeightLayout layout;
    final byte[] packedWeights;
    /** The packed weights sign-extended to int32 once (a few KB), so the kernel multiplies without converting. */
    final int[] widenedWeights;
    final int[] compensation;
    /** XORed into every stored level so that one zero-extension widens both: 0x80 for i8 (x + 128), 0 for u8. */
    final byte flip;
    /** The zero point in the unsigned domain the kernel multiplies in. */
    final int unsignedZeroPoint;
    /** {@code z - p}, the border term's level of a fractional zero point z (0: none); see the constructor. */
    final float borderLevel;
    /** Each channel's sum of weights over all its taps (the border term's padded taps are those less the read ones). */
    final int[] weightSums;

    /** Wraps already packed weights and their per-channel sums. */
    public Int8DepthwiseLayer(ConvGeometry geometry, QuantizedInput input, byte[] packedWeights, int[] weightSums) {
        this(geometry, input, packedWeights, weightSums, 0f);
    }

    /**
     * As above, with the border term of a fractional zero point z: {@code borderLevel = z - p}. An output whose
     * window reads the padding gets {@code (z - p) * (sum of its padded taps' weights)} added to its dot product
     * before the epilogue (the bias folds {@code (p - z) * sum w} over every tap, which is exact only inside).
     */
    public Int8DepthwiseLayer(ConvGeometry geometry, QuantizedInput input, byte[] packedWeights, int[] weightSums,
            float borderLevel) {
        this.geometry = Objects.requireNonNull(geometry, "geometry");
        this.input = Objects.requireNonNull(input, "input");
        if (!geometry.isDepthwise()) {
            throw new IllegalArgumentException("not a depthwise geometry (groups = in = out channels): " + geometry);
        }
        this.layout = layoutOf(geometry);
        if (packedWeights.length != layout.packedBytes()) {
            throw new IllegalArgumentException("packed weights have " + packedWeights.length + " bytes, " + layout + " needs "
                    + layout.packedBytes());
        }
        if (weightSums.length != geometry.outChannels()) {
            throw new IllegalArgumentException(weightSums.length + " weight sums for " + geometry.outChannels() + " channels");
        }
        this.borderLevel = borderLevel;
        this.weightSums = weightSums.clone();
        this.packedWeights = packedWeights.clone();
        this.widenedWeights = new int[packedWeights.length];
        for (int i = 0; i < packedWeights.length; i++) {
            widenedWeights[i] = packedWeights[i];
        }
        this.flip = input.signed() ? (byte) 0x80 : 0;
        this.compensation = new int[layout.paddedChannels() + Requantization.PAD];
        // the kernel multiplies unsigned-domain values (i8 flipped to x + 128): subtract z * sum(w) in that domain
        this.unsignedZeroPoint = input.zeroPoint() + (input.signed() ? 128 : 0);
        for (int c = 0; c < weightSums.length; c++) {
            compensation[c] = unsignedZeroPoint * weightSums[c];
        }
    }

    /** Packs {@code w[c][ky][kx]} signed weights. */
    public static Int8DepthwiseLayer pack(ConvGeometry geometry, QuantizedInput input, byte[] ckk) {
        DepthwiseWeightLayout layout = layoutOf(geometry);
        return new Int8DepthwiseLayer(geometry, input, layout.pack(ckk), layout.weightSums(ckk));
    }

    public static DepthwiseWeightLayout layoutOf(ConvGeometry g) {
        return new DepthwiseWeightLayout(g.outChannels(), g.kernelH(), g.kernelW());
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    public QuantizedInput input() {
        return input;
    }

    public DepthwiseWeightLayout layout() {
        return layout;
    }

    /** Scratch ints: one tile of exact products (4 pixels x 16 channels); the kernel reads its input in place. */
    public int scratchInts() {
        return scratchInts(1);
    }

    /** Scratch ints when the kernel splits the layer over {@code threads} threads: one tile slot each. */
    public int scratchInts(int threads) {
        return threads * TILE_INTS;
    }

    /** One thread's tile slot (no larger than {@link Int8ConvLayer#TILE_INTS}, so one scratch array serves both). */
    static final int TILE_INTS = 4 * DepthwiseWeightLayout.CHANNEL_BLOCK;
}
