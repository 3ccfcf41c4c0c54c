package dev.lowbit.runtime.int8;

/**
 * Shape of one max pooling over NHWC int8 data, with the output size given explicitly so the caller decides
 * OpenVINO's floor/ceil rounding. Padded positions never win: each window is clipped to the input, as
 * OpenVINO's MaxPool excludes padding. Immutable and thread-safe.
 */
public record PoolGeometry(int inH, int inW, int channels, int kernelH, int kernelW, int strideH, int strideW,
                           int padTop, int padLeft, int dilationH, int dilationW, int outH, int outW) {
    public PoolGeometry {
        if (inH < 1 || inW < 1 || channels < 1 || kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1
                || dilationH < 1 || dilationW < 1 || outH < 1 || outW < 1 || padTop < 0 || padLeft < 0) {
            throw new IllegalArgumentException("invalid pooling geometry " + java.util.Arrays.toString(new int[] {
                    inH, inW, channels, kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW}));
        }
        // every window must overlap the input, otherwise its maximum is undefined
        if ((outH - 1) * strideH - padTop > inH - 1 || (outW - 1) * strideW - padLeft > inW - 1
                || padTop > dilationH * (kernelH - 1) || padLeft > dilationW * (kernelW - 1)) {
            throw new IllegalArgumentException("a pooling window lies entirely in the padding: out " + outH + "x" + outW
                    + " from in " + inH + "x" + inW + " kernel " + kernelH + "x" + kernelW + " stride " + strideH + "x" + strideW
                    + " pad " + padTop + "," + padLeft);
        }
    }

    public int inputLength() {
        return inH * inW * channels;
    }

    public int outputLength() {
        return outH * outW * channels;
    }
}
