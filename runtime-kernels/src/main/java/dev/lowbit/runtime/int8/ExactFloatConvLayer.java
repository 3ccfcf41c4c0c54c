package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.pack.Int8WeightLayout;
import java.util.Objects;

/**
 * An int8 convolution prepared for {@link ExactFloatConvolution}: the same weights as an {@link Int8ConvLayer},
 * widened once (at class initialization of the generated model) to f32 in the order
 * {@code [group][outBlock of 16][ky][kx][in][16 lanes]}. Every value is a small integer, so f32 holds it
 * exactly. Immutable and thread-safe.
 */
public final class ExactFloatConvLayer {
    /** Largest number of terms summed in one f32 accumulator: 1024 * 128 * 128 = 2^24, still exact in f32. */
    static final int EXACT_TERMS = 1024;

    private final ConvGeometry geometry;
    private final QuantizedInput input;
    final float[] weights;
    final int[] compensation;
    final int blocks;
    /** Taps summed before the f32 accumulators are moved to int32 (so no f32 partial sum exceeds 2^24). */
    final int tapsPerChunk;

    /** Widens the packed weights of {@code layer} (the format of {@link Int8WeightLayout}). */
    public ExactFloatConvLayer(Int8ConvLayer layer) {
        Objects.requireNonNull(layer, "layer");
        this.geometry = layer.geometry();
        this.input = layer.input();
        Int8WeightLayout lay = layer.layout();
        int ipg = lay.inPerGroup();
        if (ipg > EXACT_TERMS) {
            throw new IllegalArgumentException(ipg + " input channels per group: more than " + EXACT_TERMS
                    + " terms per tap would not stay exact in f32; use Int8Convolution");
        }
        this.blocks = lay.outBlocks();
        this.tapsPerChunk = EXACT_TERMS / ipg;
        int taps = lay.kernelH() * lay.kernelW();
        this.weights = new float[lay.groups() * blocks * taps * ipg * Int8WeightLayout.OUT_BLOCK];
        int i = 0;
        for (int g = 0; g < lay.groups(); g++) {
            for (int b = 0; b < blocks; b++) {
                for (int ky = 0; ky < lay.kernelH(); ky++) {
                    for (int kx = 0; kx < lay.kernelW(); kx++) {
                        for (int c = 0; c < ipg; c++) {
                            int row = lay.offset(g, b, ky, kx, c / 2) + (c & 1);
                            for (int j = 0; j < Int8WeightLayout.OUT_BLOCK; j++) {
                                weights[i++] = (byte) (layer.packedWeights[row + 2 * j] ^ 0x80);
                            }
                        }
                    }
                }
            }
        }
        // sum((x - z) * w) = sum((x - 128) * w) - (z - 128) * sum(w); the kernel computes the first sum
        this.compensation = new int[geometry.outChannels() + Requantization.PAD];
        int shift = input.unsignedZeroPoint() - 128;
        int[] sums = weightSums(weights, lay, geometry.outChannels());
        for (int oc = 0; oc < sums.length; oc++) {
            compensation[oc] = shift * sums[oc];
        }
    }

    private static int[] weightSums(float[] w, Int8WeightLayout lay, int outChannels) {
        int[] sums = new int[outChannels];
        int perBlock = lay.kernelH() * lay.kernelW() * lay.inPerGroup() * Int8WeightLayout.OUT_BLOCK;
        for (int g = 0; g < lay.groups(); g++) {
            for (int b = 0; b < lay.outBlocks(); b++) {
                int base = (g * lay.outBlocks() + b) * perBlock;
                for (int k = 0; k < perBlock; k++) {
                    int o = b * Int8WeightLayout.OUT_BLOCK + k % Int8WeightLayout.OUT_BLOCK;
                    if (o < lay.outPerGroup()) {
                        sums[g * lay.outPerGroup() + o] += (int) w[base + k];
                    }
                }
            }
        }
        return sums;
    }

    public ConvGeometry geometry() {
        return geometry;
    }

    public QuantizedInput input() {
        return input;
    }

    /** Scratch floats/ints: the padded f32 plane, then one tile of int32 sums (4 pixels x 32 channels). */
    public int scratchFloats() {
        return planeFloats() + 4 * 2 * Int8WeightLayout.OUT_BLOCK;
    }

    int planeFloats() {
        return geometry.paddedH() * geometry.paddedW() * geometry.inChannels();
    }
}
