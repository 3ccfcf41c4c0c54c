package dev.lowbit.runtime.pack;

import java.util.Objects;

/**
 * The packed int8 weight format of depthwise convolutions (one input and one output channel per group), shared
 * by the processor (packing at build time) and {@code Int8DepthwiseConvolution} (reading). Immutable and
 * thread-safe.
 *
 * <p>Source: {@code w[c][ky][kx]} signed int8 (the GroupConvolution weight {@code [C][1][1][KH][KW]}).
 * Packed: {@code [ky][kx][c]} with the channel dimension padded with zeros to a multiple of
 * {@value #CHANNEL_BLOCK}, signed (no offset), so one vector load reads the same tap of 16 channels.
 */
public record DepthwiseWeightLayout(int channels, int kernelH, int kernelW) {
    /** Channels read by one vector: 16 int32 lanes of a 512-bit vector. */
    public static final int CHANNEL_BLOCK = 16;

    public DepthwiseWeightLayout {
        if (channels < 1 || kernelH < 1 || kernelW < 1) {
            throw new IllegalArgumentException("depthwise layout dims must be >= 1: channels=" + channels
                    + " kernel=" + kernelH + "x" + kernelW);
        }
    }

    /** Channels rounded up to a multiple of {@link #CHANNEL_BLOCK}. */
    public int paddedChannels() {
        return (channels + CHANNEL_BLOCK - 1) / CHANNEL_BLOCK * CHANNEL_BLOCK;
    }

    /** Offset of tap {@code (ky, kx)} of channel {@code c}. */
    public int offset(int ky, int kx, int c) {
        return (ky * kernelW + kx) * paddedChannels() + c;
    }

    /** Total packed bytes. */
    public int packedBytes() {
        return kernelH * kernelW * paddedChannels();
    }

    /** Packs {@code w[c][ky][kx]} into {@code [ky][kx][c padded]}. */
    public byte[] pack(byte[] ckk) {
        Objects.requireNonNull(ckk, "weights");
        int n = channels * kernelH * kernelW;
        if (ckk.length != n) {
            throw new IllegalArgumentException("expected " + n + " weights for " + this + ", got " + ckk.length);
        }
        byte[] packed = new byte[packedBytes()];
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kernelH; ky++) {
                for (int kx = 0; kx < kernelW; kx++) {
                    packed[offset(ky, kx, c)] = ckk[(c * kernelH + ky) * kernelW + kx];
                }
            }
        }
        return packed;
    }

    /** Sum of the signed weights of each channel. */
    public int[] weightSums(byte[] ckk) {
        int taps = kernelH * kernelW;
        if (ckk.length != channels * taps) {
            throw new IllegalArgumentException("expected " + channels * taps + " weights for " + this + ", got " + ckk.length);
        }
        int[] sums = new int[channels];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < taps; t++) {
                sums[c] += ckk[c * taps + t];
            }
        }
        return sums;
    }
}
