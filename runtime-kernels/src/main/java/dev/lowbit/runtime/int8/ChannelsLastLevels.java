package dev.lowbit.runtime.int8;

/**
 * The {@link LevelTensors} passes for level tensors stored channels-last (NHWC, {@code [n][pixel][channel]}): the
 * layout the int8 convolutions read and write, chosen at build time for tensors that flow between int8 layers so
 * no transpose runs between them. The fp32 side stays NCHW: quantize reads NCHW floats and writes NHWC levels,
 * dequantize the reverse, so the transpose is folded into a pass that runs anyway. Every element is computed with
 * exactly the arithmetic of the NCHW pass ({@link LevelTensors#level}, {@link LevelTensors#value}), so the levels
 * are those of the NCHW pass, transposed. Stateless static methods; thread-safe; nothing is allocated.
 */
public final class ChannelsLastLevels {
    private ChannelsLastLevels() {
    }

    /**
     * {@link LevelTensors#quantize} of the NCHW tensor {@code x} ({@code outer x channels x pixels}), levels written
     * NHWC: per pixel, 16 channels gathered in one vector load through {@code channelOffsets} (from
     * {@link #channelOffsets}{@code (pixels)}, made once by the caller), quantized with a range per lane and stored
     * as 16 contiguous levels. Why: the NCHW quantize followed by a scalar byte transpose cost 2x as much (128
     * channels x 36 pixels, landmarks' depthwise input: 6.1 against 3.0 us by hand), the transpose most of it; a
     * level-by-level store kept the quantize scalar, and a vector strided store (16 levels through two longs) made
     * the tiny test model allocate 32 bytes per warm inference in some JVMs (a vector op left unintrinsified),
     * which {@code infer(inputs, outputs)} does not allow; float gathers are intrinsics on AVX-512 and AVX2.
     */
    public static void quantize(float[] x, byte[] q, int outer, int channels, int pixels, float[] inLow, float[] inHigh,
            int levels, int[] channelOffsets) {
        quantizeAffine(x, q, outer, channels, pixels, null, null, inLow, inHigh, levels, channelOffsets);
    }

    /**
     * {@link #quantize} of {@code x * scale[c] + shift[c]} (one value per channel; with {@code scale} null, of x):
     * a Multiply and an Add by per-channel constants in front of a FakeQuantize, in one pass with the f32
     * operations of the separate ops, so the levels are theirs bit for bit ({@link LevelTensors#quantizeAffine}).
     */
    public static void quantizeAffine(float[] x, byte[] q, int outer, int channels, int pixels, float[] scale,
            float[] shift, float[] inLow, float[] inHigh, int levels, int[] channelOffsets) {
        int n = outer * channels * pixels;
        if (q.length < n || x.length < n) {
            throw new IllegalArgumentException("quantize of " + n + " values: input " + x.length + ", output " + q.length);
        }
        if (channelOffsets.length != LevelVectors.LANES || channelOffsets[1] != pixels) {
            throw new IllegalArgumentException("channel offsets " + java.util.Arrays.toString(channelOffsets)
                    + " do not fit planes of " + pixels + " pixels (use channelOffsets(" + pixels + "))");
        }
        LevelTensors.checkAffine(scale, shift, channels);
        LevelVectors.quantizeToChannelsLast(x, q, outer, channels, pixels, scale, shift, inLow, inHigh, levels,
                channelOffsets);
    }

    /** The gather offsets {@link #quantize} takes for planes of {@code pixels}: channel k of a step at {@code k * pixels}. */
    public static int[] channelOffsets(int pixels) {
        int[] offsets = new int[LevelVectors.LANES];
        for (int k = 0; k < offsets.length; k++) {
            offsets[k] = k * pixels;
        }
        return offsets;
    }

    /** {@link LevelTensors#dequantize} of NHWC levels, the values written NCHW ({@code outer x channels x pixels}). */
    public static void dequantize(byte[] q, float[] x, int outer, int channels, int pixels, float[] outLow,
            float[] outHigh, int levels) {
        LevelVectors.dequantize(q, x, outer, channels, pixels, outLow, outHigh, levels, true);
    }

    /** {@link LevelTensors#addRequantized} on NHWC operands and result (element-wise, so only the channel index moves). */
    public static void addRequantized(byte[] a, float[] aLow, float[] aHigh, int aLevels, byte[] b, float[] bLow,
            float[] bHigh, int bLevels, byte[] q, int outer, int channels, int pixels, float[] inLow, float[] inHigh,
            int levels) {
        for (int i = 0; i < outer * pixels; i++) {
            LevelVectors.addDense(a, aLow, aHigh, aLevels, b, bLow, bHigh, bLevels, q, i * channels, channels, inLow, inHigh,
                    levels);
        }
    }

    /**
     * Concatenation along the channel axis of NHWC tensors of {@code pixels} (batch times height times width)
     * pixels each: pixel by pixel, input {@code i} contributes its {@code channels[i]} bytes.
     */
    public static void concat(byte[][] inputs, int[] channels, int pixels, byte[] out) {
        int total = 0;
        for (int c : channels) {
            total += c;
        }
        int at = 0;
        for (int i = 0; i < inputs.length; i++) {
            byte[] in = inputs[i];
            int ch = channels[i];
            for (int p = 0, src = 0, dst = at; p < pixels; p++, src += ch, dst += total) {
                System.arraycopy(in, src, out, dst, ch);
            }
            at += ch;
        }
    }

    /**
     * Channels {@code [from, from + count)} of one NHWC image of {@code channels x pixels} starting at {@code inOff},
     * as a dense NHWC image of {@code count} channels (the input of one run of a segmented convolution).
     */
    public static void slice(byte[] in, int inOff, int channels, int from, int count, int pixels, byte[] out) {
        for (int p = 0, src = inOff + from, dst = 0; p < pixels; p++, src += channels, dst += count) {
            System.arraycopy(in, src, out, dst, count);
        }
    }
}
