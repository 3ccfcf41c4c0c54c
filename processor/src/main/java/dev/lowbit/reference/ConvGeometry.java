package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Where a sliding window sits: per spatial axis the input and output sizes, kernel, stride, dilation and the
 * pads actually applied (auto_pad resolved), following OpenVINO's shape inference for convolutions
 * (convolution_shape_inference_util.hpp), pooling (pooling_shape_inference_util.hpp) and
 * ConvolutionBackpropData (convolution_backprop_shape_inference_util.hpp). 1-D and 2-D problems are stored
 * as 3-D with leading unit axes, so one loop nest serves every rank. Immutable after construction.
 */
final class ConvGeometry {
    /** Axes every geometry is extended to (depth, height, width). */
    static final int AXES = 3;

    final int spatialRank;
    final int[] input = ones();
    final int[] kernel = ones();
    final int[] output = ones();
    final int[] stride = ones();
    final int[] dilation = ones();
    final int[] padBegin = new int[AXES];
    final int[] padEnd = new int[AXES];

    private ConvGeometry(int spatialRank) {
        this.spatialRank = spatialRank;
    }

    /** Forward convolution: out = floor((in + pads - dilated kernel) / stride) + 1, or ceil(in / stride) for same_*. */
    static ConvGeometry forward(Node node, WindowAttributes w, int[] in, int[] k) {
        ConvGeometry g = start(node, w, in, k);
        for (int a = 0; a < in.length; a++) {
            int dk = dilated(k[a], w.dilations()[a]);
            g.resolvePads(a, w, in[a], dk);
            if (w.autoPad().isSame()) {
                g.setOutput(a, ceilDiv(in[a], w.strides()[a]));
            } else {
                int padded = g.padded(node, a, in[a], dk);
                g.setOutput(a, (padded - dk) / w.strides()[a] + 1);
            }
        }
        return g;
    }

    /**
     * Pooling: out = floor or ceil((in + pads - dilated kernel) / stride) + 1. With ceil rounding the last window
     * may start in the padding (opset1/opset8 semantics; "ceil_torch" of opset14 is not this).
     */
    static ConvGeometry pooling(Node node, WindowAttributes w, int[] in, int[] k, boolean ceil) {
        ConvGeometry g = start(node, w, in, k);
        for (int a = 0; a < in.length; a++) {
            int dk = dilated(k[a], w.dilations()[a]);
            g.resolvePads(a, w, in[a], dk);
            int span = g.padded(node, a, in[a], dk) - dk;
            int s = w.strides()[a];
            g.setOutput(a, (ceil ? ceilDiv(span, s) : span / s) + 1);
        }
        return g;
    }

    /**
     * Transposed convolution. Without an output_shape input: out = (in - 1) * stride + dilated kernel - pads
     * + output_padding, and same_* pads count as zero. With it, the given spatial shape is the output and
     * same_* pads are derived from it (same_upper puts the odd pad at the beginning here, as OpenVINO does).
     */
    static ConvGeometry backprop(Node node, WindowAttributes w, int[] outputPadding, int[] in, int[] k,
            int[] outputShape) {
        ConvGeometry g = start(node, w, in, k);
        for (int a = 0; a < in.length; a++) {
            int dk = dilated(k[a], w.dilations()[a]);
            int full = (in[a] - 1) * w.strides()[a] + dk;
            int axis = g.axis(a);
            if (outputShape != null) {
                if (w.autoPad().isSame()) {
                    int total = Math.max(0, full - outputShape[a] + outputPadding[a]);
                    int small = total / 2;
                    g.padBegin[axis] = w.autoPad() == AutoPad.SAME_UPPER ? total - small : small;
                    g.padEnd[axis] = total - g.padBegin[axis];
                } else if (w.autoPad() == AutoPad.EXPLICIT) {
                    g.padBegin[axis] = w.padsBegin()[a];
                    g.padEnd[axis] = w.padsEnd()[a];
                }
                if (outputShape[a] <= 0) {
                    throw new IrException(node, "output_shape " + Arrays.toString(outputShape)
                            + " has a non-positive element");
                }
                g.setOutput(a, outputShape[a]);
            } else {
                if (w.autoPad() == AutoPad.EXPLICIT) {
                    g.padBegin[axis] = w.padsBegin()[a];
                    g.padEnd[axis] = w.padsEnd()[a];
                }
                int out = full - g.padBegin[axis] - g.padEnd[axis] + outputPadding[a];
                if (out <= 0) {
                    throw new IrException(node, "output spatial axis " + a + " would have size " + out
                            + " (input " + in[a] + ", kernel " + k[a] + ", pads " + g.padBegin[axis] + "/"
                            + g.padEnd[axis] + ")");
                }
                g.setOutput(a, out);
            }
        }
        return g;
    }

    /** The output's spatial sizes, in the node's own rank. */
    int[] outputSpatial() {
        return Arrays.copyOfRange(output, AXES - spatialRank, AXES);
    }

    int inputVolume() {
        return input[0] * input[1] * input[2];
    }

    int kernelVolume() {
        return kernel[0] * kernel[1] * kernel[2];
    }

    int outputVolume() {
        return output[0] * output[1] * output[2];
    }

    /**
     * The sliding-window index map on one axis is {@code t = j * stride - padBegin + tap * dilation}. For a
     * forward window j is the output index and t the input index it reads; for a transposed convolution j is
     * the input index and t the output index it writes. This is the first {@code j >= 0} with {@code t >= 0}.
     */
    int firstValid(int axis, int tap) {
        int offset = tap * dilation[axis] - padBegin[axis];
        return Math.max(0, -Math.floorDiv(offset, stride[axis]));
    }

    /** One past the last {@code j < jSize} whose {@code t} (see {@link #firstValid}) is below {@code tSize}. */
    int endValid(int axis, int tap, int tSize, int jSize) {
        int offset = tap * dilation[axis] - padBegin[axis];
        return Math.min(jSize, Math.floorDiv(tSize - 1 - offset, stride[axis]) + 1);
    }

    /** True if any pad (begin or end) is non-zero. */
    boolean hasPadding() {
        for (int a = 0; a < AXES; a++) {
            if (padBegin[a] != 0 || padEnd[a] != 0) {
                return true;
            }
        }
        return false;
    }

    private static ConvGeometry start(Node node, WindowAttributes w, int[] in, int[] k) {
        if (in.length < 1 || in.length > AXES) {
            throw new IrException(node, "only 1 to 3 spatial axes are supported, the input has " + in.length);
        }
        ConvGeometry g = new ConvGeometry(in.length);
        for (int a = 0; a < in.length; a++) {
            int axis = g.axis(a);
            g.input[axis] = in[a];
            g.kernel[axis] = k[a];
            g.stride[axis] = w.strides()[a];
            g.dilation[axis] = w.dilations()[a];
        }
        return g;
    }

    /** Fills pads for axis a: explicit as written, valid zero, same_* split as OpenVINO's dim::padding does. */
    private void resolvePads(int a, WindowAttributes w, int in, int dilatedKernel) {
        int axis = axis(a);
        switch (w.autoPad()) {
            case EXPLICIT -> {
                padBegin[axis] = w.padsBegin()[a];
                padEnd[axis] = w.padsEnd()[a];
            }
            case VALID -> {
                padBegin[axis] = 0;
                padEnd[axis] = 0;
            }
            case SAME_UPPER, SAME_LOWER -> {
                int s = w.strides()[a];
                int total = Math.max(0, (ceilDiv(in, s) - 1) * s + dilatedKernel - in);
                int small = total / 2;
                padBegin[axis] = w.autoPad() == AutoPad.SAME_UPPER ? small : total - small;
                padEnd[axis] = total - padBegin[axis];
            }
        }
    }

    private int padded(Node node, int a, int in, int dilatedKernel) {
        int axis = axis(a);
        int padded = in + padBegin[axis] + padEnd[axis];
        if (dilatedKernel > padded) {
            throw new IrException(node, "the dilated kernel (" + dilatedKernel + ") is larger than the padded input ("
                    + padded + ") on spatial axis " + a);
        }
        return padded;
    }

    private void setOutput(int a, int size) {
        output[axis(a)] = size;
    }

    private int axis(int a) {
        return AXES - spatialRank + a;
    }

    static int dilated(int kernel, int dilation) {
        return dilation * (kernel - 1) + 1;
    }

    private static int ceilDiv(int a, int b) {
        return Math.floorDiv(a + b - 1, b);
    }

    private static int[] ones() {
        int[] v = new int[AXES];
        Arrays.fill(v, 1);
        return v;
    }
}
