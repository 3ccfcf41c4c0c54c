package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.pack.Int8WeightLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * One int8 convolution (or fully connected) layer as the kernels read it: its geometry, how its input is
 * quantized, the weights in {@link Int8WeightLayout} and the build-time compensation per output channel.
 * Immutable and thread-safe (arrays are not exposed).
 *
 * <p>The kernels multiply unsigned-domain activations {@code x} (0..255) by packed weights {@code w + 128}, so
 * their raw sum is {@code T = sum(x * w) + 128 * sum(x)}. The exact dot product is then
 * {@code D = T - 128 * windowSum(x) - z_x * sum(w[oc])}: the window sum depends on the data (kernels compute it
 * from per-pixel channel sums, padding taps count as {@code z_x}), {@code z_x * sum(w[oc])} is
 * {@link #compensation()}.
 */
public final class Int8ConvLayer {
    /**
     * Ints one more thread needs in any int8 kernel's scratch: its tile slot (room for two 4-pixel x 32-channel
     * tiles, which {@link PointwiseConvolution} uses in turn). A scratch array sized for one thread
     * by the largest {@link #scratchInts()} (and {@link Int8DepthwiseLayer#scratchInts()}) serves {@code n} threads
     * with {@code (n - 1) * TILE_INTS} more.
     */
    public static final int TILE_INTS = 2 * 4 * 2 * Int8WeightLayout.OUT_BLOCK;

    private final ConvGeometry geometry;
    private final QuantizedInput input;
    private final Int8WeightLayout layout;
    final byte[] packedWeights;
    final int[] compensation;

    /** Wraps already packed weights (as loaded from the build-time resource) and their per-channel weight sums. */
    public Int8ConvLayer(ConvGeometry geometry, QuantizedInput input, byte[] packedWeights, int[] weightSums) {
        this.geometry = Objects.requireNonNull(geometry, "geometry");
        this.input = Objects.requireNonNull(input, "input");
        this.layout = layoutOf(geometry);
        if (packedWeights.length != layout.packedBytes()) {
            throw new IllegalArgumentException("packed weights have " + packedWeights.length + " bytes, " + layout + " needs "
                    + layout.packedBytes());
        }
        if (weightSums.length != geometry.outChannels()) {
            throw new IllegalArgumentException(weightSums.length + " weight sums for " + geometry.outChannels() + " channels");
        }
        this.packedWeights = packedWeights.clone();
        this.compensation = new int[geometry.outChannels() + Requantization.PAD];
        int z = input.unsignedZeroPoint();
        for (int oc = 0; oc < weightSums.length; oc++) {
            compensation[oc] = z * weightSums[oc];
        }
    }

    /** Packs OIHW-per-group signed weights (the build-time path, also used by tests and benchmarks). */
    public static Int8ConvLayer pack(ConvGeometry geometry, QuantizedInput input, byte[] oihw) {
        Int8WeightLayout layout = layoutOf(geometry);
        return new Int8ConvLayer(geometry, input, layout.pack(oihw), layout.weightSums(oihw));
    }

    /** The packing layout implied by a geometry. */
    public static Int8WeightLayout layoutOf(ConvGeometry g) {
        return new Int8WeightLayout(g.groups(), g.outPerGroup(), g.inPerGroup(), g.kernelH(), g.kernelW());
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    public QuantizedInput input() {
        return input;
    }

    public Int8WeightLayout layout() {
        return layout;
    }

    /** {@code z_x * sum(w[oc])} per output channel (a copy). */
    public int[] compensation() {
        return Arrays.copyOf(compensation, geometry.outChannels());
    }

    /**
     * Scratch ints {@link Int8Convolution} needs: the padded plane of activation pairs, per-pixel channel sums,
     * and the exact products of two register tiles (4 pixels x 32 channels each).
     */
    public int scratchInts() {
        return scratchInts(1);
    }

    /** Scratch ints when the kernel splits the layer over {@code threads} threads: one tile slot per thread. */
    public int scratchInts(int threads) {
        return tileScratchOffset() + threads * TILE_INTS;
    }

    /** Scratch ints for {@code threads} threads, given the size that serves every int8 layer on one thread. */
    public static int scratchIntsFor(int singleThreadInts, int threads) {
        return singleThreadInts + (threads - 1) * TILE_INTS;
    }

    /** Where in scratch the kernel parks one tile's exact products before the epilogue. */
    int tileScratchOffset() {
        int pixels = geometry.paddedH() * geometry.paddedW();
        return pixels * geometry.groups() * (layout.inPairs() + 1);
    }
}
