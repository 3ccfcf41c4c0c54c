package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;

/**
 * int8 fully connected / MatMul {@code y[b][n] = sum_k (x[b][k] - z_x) * w[n][k]} for a small batch, with the
 * requantization fused. Stateless and thread-safe; scratch per concurrent caller.
 *
 * <p>A fully connected layer is a 1x1 convolution over a 1 x batch "image" with {@code inputs} channels, so it
 * runs {@link Int8Convolution}'s kernel and packing ({@code Int8WeightLayout} with a 1x1 kernel): batch rows
 * share each widened weight vector four at a time, batch 1 streams the weights once. Input rows are contiguous
 * ({@code x[b * inputs + k]}), output rows too ({@code y[b * outputs + n]}). MatMul with {@code transpose_b =
 * false} must pass its weights transposed to {@code [outputs][inputs]} at build time.
 */
public final class Int8FullyConnected {
    private Int8FullyConnected() {
    }

    /** The 1x1 convolution geometry of a batch x inputs -> batch x outputs layer. */
    public static ConvGeometry geometry(int batch, int inputs, int outputs) {
        return new ConvGeometry(1, batch, inputs, outputs, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1);
    }

    /** Packs {@code w[outputs][inputs]} signed int8 weights. */
    public static Int8ConvLayer pack(int batch, int inputs, int outputs, QuantizedInput input, byte[] weights) {
        return Int8ConvLayer.pack(geometry(batch, inputs, outputs), input, weights);
    }

    public static void runQuantized(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff, int[] scratch) {
        runQuantized(layer, r, in, inOff, out, outOff, scratch, null);
    }

    /** Split over {@code parallel} by blocks of outputs when large enough (see {@link Int8Convolution}). */
    public static void runQuantized(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff,
                                    int[] scratch, Parallel parallel) {
        checkFullyConnected(layer);
        Int8Convolution.runQuantized(layer, r, in, inOff, out, outOff, scratch, parallel);
    }

    public static void runFloat(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff, int[] scratch) {
        runFloat(layer, r, in, inOff, out, outOff, scratch, null);
    }

    /** Split over {@code parallel} by blocks of outputs when large enough (see {@link Int8Convolution}). */
    public static void runFloat(Int8ConvLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff,
                                int[] scratch, Parallel parallel) {
        checkFullyConnected(layer);
        Int8Convolution.runFloat(layer, r, in, inOff, out, outOff, scratch, parallel);
    }

    private static void checkFullyConnected(Int8ConvLayer layer) {
        ConvGeometry g = layer.geometry();
        if (g.inH() != 1 || g.kernelH() != 1 || g.kernelW() != 1 || g.groups() != 1 || g.strideW() != 1
                || g.padLeft() != 0 || g.padRight() != 0) {
            throw new IllegalArgumentException("not a fully connected geometry: " + g);
        }
    }
}
