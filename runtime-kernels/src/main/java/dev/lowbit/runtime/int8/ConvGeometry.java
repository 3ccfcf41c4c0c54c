package dev.lowbit.runtime.int8;

/**
 * Shape of one int8 convolution, as the generated code passes it: a {@code static final} instance built from
 * literals, so HotSpot can treat its (record, hence trusted final) fields as constants where the kernel is
 * inlined. Immutable and thread-safe.
 *
 * <p>Activations are NHWC for one image: {@code in[(y * inW + x) * inChannels + c]}, output
 * {@code out[(oy * outW() + ox) * outChannels + oc]}. Output size follows OpenVINO's explicit padding:
 * {@code out = (in + padBegin + padEnd - dilation * (kernel - 1) - 1) / stride + 1}.
 *
 * <p>Overflow bound: the exact integer dot product {@code sum((x - z_x) * w)} has at most
 * {@link #MAX_REDUCTION} terms of magnitude at most {@code 255 * 128 = 32640}, so it fits in int32
 * ({@code 65793 * 32640 < 2^31}); the kernels' modular int32 arithmetic is then exact. Larger reductions are
 * rejected here.
 */
public record ConvGeometry(int inH, int inW, int inChannels, int outChannels, int groups,
                           int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int padBottom, int padRight,
                           int dilationH, int dilationW) {
    /** Largest reduction length {@code inChannels / groups * kernelH * kernelW} that cannot overflow int32. */
    public static final int MAX_REDUCTION = (int) ((1L << 31) / (255 * 128)); // 65793

    public ConvGeometry {
        if (inH < 1 || inW < 1 || inChannels < 1 || outChannels < 1 || groups < 1 || kernelH < 1 || kernelW < 1
                || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("convolution dims, strides and dilations must be >= 1: " + describe(
                    inH, inW, inChannels, outChannels, groups, kernelH, kernelW, strideH, strideW, dilationH, dilationW));
        }
        if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
            throw new IllegalArgumentException("negative padding " + padTop + "," + padLeft + "," + padBottom + "," + padRight);
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("channels " + inChannels + " -> " + outChannels + " not divisible by groups " + groups);
        }
        if ((inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) < 0
                || (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) < 0) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + " (dilation " + dilationH + "x"
                    + dilationW + ") larger than padded input " + (inH + padTop + padBottom) + "x" + (inW + padLeft + padRight));
        }
        long reduction = (long) (inChannels / groups) * kernelH * kernelW;
        if (reduction > MAX_REDUCTION) {
            throw new IllegalArgumentException("reduction length " + reduction + " exceeds " + MAX_REDUCTION
                    + ": the int32 accumulator could overflow");
        }
    }

    /** Convenience for the common square case: same kernel, stride, dilation and symmetric padding both ways. */
    public static ConvGeometry square(int h, int w, int inChannels, int outChannels, int groups, int kernel, int stride, int pad) {
        return new ConvGeometry(h, w, inChannels, outChannels, groups, kernel, kernel, stride, stride, pad, pad, pad, pad, 1, 1);
    }

    public int outH() {
        return (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
    }

    public int outW() {
        return (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
    }

    public int inPerGroup() {
        return inChannels / groups;
    }

    public int outPerGroup() {
        return outChannels / groups;
    }

    /** Height of the zero-point padded input plane the kernels build in scratch. */
    public int paddedH() {
        return inH + padTop + padBottom;
    }

    public int paddedW() {
        return inW + padLeft + padRight;
    }

    /** True when every group has one input and one output channel. */
    public boolean isDepthwise() {
        return groups == inChannels && groups == outChannels;
    }

    /** Multiply-accumulates of one image, the unit of the benchmarks' GMAC/s. */
    public long macs() {
        return (long) outH() * outW() * outChannels * inPerGroup() * kernelH * kernelW;
    }

    public int inputLength() {
        return inH * inW * inChannels;
    }

    public int outputLength() {
        return outH() * outW() * outChannels;
    }

    private static String describe(int... v) {
        return java.util.Arrays.toString(v);
    }
}
