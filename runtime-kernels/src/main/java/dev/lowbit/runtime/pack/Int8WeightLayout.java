package dev.lowbit.runtime.pack;

import java.util.Objects;

/**
 * The packed int8 weight format of convolution and fully connected layers: the single definition used by the
 * processor to pack weights at build time and by {@code dev.lowbit.runtime.int8} kernels to read them.
 * Immutable and thread-safe.
 *
 * <p>Source weights are OIHW per group, signed int8: {@code w[g][o][i][ky][kx]} with {@code o < outPerGroup},
 * {@code i < inPerGroup} (a fully connected layer is the 1x1 case, {@code w[o][i]}).
 *
 * <p>Packed order: {@code [group][outBlock][ky][kx][inPair][lane 0..15][0..1]}, one byte each, where an out
 * block holds {@value #OUT_BLOCK} output channels and an in pair two input channels. The 32 bytes of one
 * {@code (inPair)} row hold, for output lane {@code j}, first the weight of input channel {@code 2p} then of
 * {@code 2p+1}: exactly the 16-bit lane order in which the kernels multiply a broadcast pair of activations
 * (a pmaddwd emulation, see {@code Int8Convolution}). Each byte is stored offset to unsigned: {@code w + 128}
 * (equivalently {@code w ^ 0x80}), so a zero-extending widening gives a non-negative 16-bit weight and every
 * product of a u8 activation and a packed weight fits in an unsigned 16-bit lane (at most 255 * 255).
 * Missing output channels (the last block) and the missing odd input channel are packed as 0 (unsigned),
 * their products are discarded or multiplied by a zero activation.
 */
public record Int8WeightLayout(int groups, int outPerGroup, int inPerGroup, int kernelH, int kernelW) {
    /** Output channels per packed block: one 512-bit vector of int32 accumulators. */
    public static final int OUT_BLOCK = 16;
    /** Bytes of one packed row: {@link #OUT_BLOCK} lanes times an input channel pair. */
    public static final int ROW_BYTES = 2 * OUT_BLOCK;

    public Int8WeightLayout {
        if (groups < 1 || outPerGroup < 1 || inPerGroup < 1 || kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("weight layout dims must be >= 1: groups=" + groups + " outPerGroup="
                    + outPerGroup + " inPerGroup=" + inPerGroup + " kernel=" + kernelH + "x" + kernelW);
        }
    }

    /** Number of {@link #OUT_BLOCK}-wide output channel blocks per group. */
    public int outBlocks() {
        return (outPerGroup + OUT_BLOCK - 1) / OUT_BLOCK;
    }

    /** Number of input channel pairs per group (the odd last channel is paired with a zero). */
    public int inPairs() {
        return (inPerGroup + 1) / 2;
    }

    /** Bytes of one out block: all taps and input pairs of 16 output channels. */
    public int blockBytes() {
        return kernelH * kernelW * inPairs() * ROW_BYTES;
    }

    /** Offset of the packed row for {@code (group, outBlock, ky, kx, inPair)}. */
    public int offset(int group, int outBlock, int ky, int kx, int inPair) {
        return (((group * outBlocks() + outBlock) * kernelH + ky) * kernelW + kx) * inPairs() * ROW_BYTES
                + inPair * ROW_BYTES;
    }

    /** Total packed bytes. */
    public int packedBytes() {
        return groups * outBlocks() * blockBytes();
    }

    /** Number of source weights, {@code groups * outPerGroup * inPerGroup * kernelH * kernelW}. */
    public int sourceLength() {
        return groups * outPerGroup * inPerGroup * kernelH * kernelW;
    }

    /** Packs OIHW-per-group signed int8 weights into the layout described above. */
    public byte[] pack(byte[] oihw) {
        Objects.requireNonNull(oihw, "weights");
        if (oihw.length != sourceLength()) {
            throw new IllegalArgumentException("expected " + sourceLength() + " weights for " + this + ", got " + oihw.length);
        }
        byte[] packed = new byte[packedBytes()];
        for (int g = 0; g < groups; g++) {
            for (int o = 0; o < outPerGroup; o++) {
                for (int i = 0; i < inPerGroup; i++) {
                    for (int ky = 0; ky < kernelH; ky++) {
                        for (int kx = 0; kx < kernelW; kx++) {
                            byte w = oihw[source(g, o, i, ky, kx)];
                            int at = offset(g, o / OUT_BLOCK, ky, kx, i / 2) + 2 * (o % OUT_BLOCK) + (i & 1);
                            packed[at] = (byte) (w ^ 0x80);
                        }
                    }
                }
            }
        }
        return packed;
    }

    /** The int8 values as f32 (exact): the weights the FMA paths multiply, or their transforms start from. */
    public static float[] asFloats(byte[] int8) {
        float[] f = new float[int8.length];
        for (int i = 0; i < int8.length; i++) {
            f[i] = int8[i];
        }
        return f;
    }

    /** Sum of the signed source weights of each output channel (length {@code groups * outPerGroup}). */
    public int[] weightSums(byte[] oihw) {
        if (oihw.length != sourceLength()) {
            throw new IllegalArgumentException("expected " + sourceLength() + " weights for " + this + ", got " + oihw.length);
        }
        int[] sums = new int[groups * outPerGroup];
        int perOut = inPerGroup * kernelH * kernelW;
        for (int oc = 0; oc < sums.length; oc++) {
            int s = 0;
            for (int k = 0; k < perOut; k++) {
                s += oihw[oc * perOut + k];
            }
            sums[oc] = s;
        }
        return sums;
    }

    private int source(int g, int o, int i, int ky, int kx) {
        return ((((g * outPerGroup + o) * inPerGroup + i) * kernelH + ky) * kernelW) + kx;
    }
}
