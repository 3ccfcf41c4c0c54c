package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Im2col for int8 convolutions with few input channels: each output pixel's receptive field gathered into one
 * NHWC "patch" pixel of {@code kernelH * kernelW * inChannels} channels, so the layer runs as a 1x1 convolution
 * over the output grid ({@link PatchLayout#patchGeometry}) with the weights in tap-major order
 * ({@link PatchLayout#patchWeights}).
 *
 * <p>Why: {@link Int8Convolution} reduces over channel pairs inside each tap. With 3 input channels (every
 * network's first layer), 8 or 16 a tap holds 2 to 8 pairs, so loop overhead, the wasted half pair and the
 * per-pixel prepass of a large input image dominate: these layers ran at 4-13 GMAC/s (3 channels) against 45-67
 * for wide ones. A patch pixel holds the whole reduction (147 values for a 7x7 RGB layer) and runs on the 1x1
 * pointwise path.
 *
 * <p>Exactness: padding taps are written as the input's zero point, which is what the direct kernel's padded plane
 * holds, so the window sums, the compensation {@code z * sum(w)} and every dot product are the same integers and
 * the outputs are bit-identical. Stateless static methods; thread-safe; nothing is allocated (a call split over a
 * {@link Parallel} pool allocates its task).
 */
public final class PatchGather {
    private static final VectorSpecies<Byte> ROW = ByteVector.SPECIES_512;
    // the loads' exact class: the calls on a load then bind without the Vector API's shared type profiles
    // (docs/int8-kernels.md, "Byte and short loads that receive a call are cast too")
    private static final Class<? extends Vector<Byte>> ROW_TYPE = ROW.vectorType();
    private static final int MAX_ROW_BYTES = 64;

    private PatchGather() {
    }

    /**
     * Gathers one NHWC image at {@code inOff} into {@code out} (from 0, {@code outH * outW * patchChannels} bytes);
     * taps in the padding get {@code zeroPoint} (the stored byte of the input's zero point). Split by output rows
     * over {@code parallel} when large enough (null: the caller's thread).
     */
    public static void gather(ConvGeometry g, byte zeroPoint, byte[] in, int inOff, byte[] out, Parallel parallel) {
        int k = PatchLayout.patchChannels(g);
        Bounds.check(in, inOff, g.inputLength(), out.length, 0, g.outH() * g.outW() * k);
        // a byte moved costs about what 32 int8 multiply-accumulates do (as LevelTensors' passes)
        if (parallel != null && parallel.worthSplitting(32L * g.outH() * g.outW() * k)) {
            parallel.forRange(g.outH(), (from, to, w) -> rows(g, zeroPoint, in, inOff, out, from, to));
        } else {
            rows(g, zeroPoint, in, inOff, out, 0, g.outH());
        }
    }

    /**
     * Output rows {@code [oy0, oy1)}; each writes only its own patch pixels. One receptive-field row ({@code kernelW}
     * taps of {@code inChannels} bytes) is contiguous in NHWC when the dilation is 1, so it moves as one masked
     * vector load and store (at most {@value #MAX_ROW_BYTES} bytes); windows that cross the left or right border,
     * and dilated ones, go tap by tap. A row above or below the image is the zero point throughout.
     */
    private static void rows(ConvGeometry g, byte zeroPoint, byte[] in, int inOff, byte[] out, int oy0, int oy1) {
        int c = g.inChannels();
        int k = PatchLayout.patchChannels(g);
        int run = g.kernelW() * c;
        boolean vector = g.dilationW() == 1 && run <= MAX_ROW_BYTES;
        VectorMask<Byte> m = ROW.indexInRange(0, Math.min(run, MAX_ROW_BYTES));
        ByteVector zeros = ByteVector.broadcast(ROW, zeroPoint);
        for (int oy = oy0; oy < oy1; oy++) {
            for (int ox = 0; ox < g.outW(); ox++) {
                int dst = (oy * g.outW() + ox) * k;
                int x0 = ox * g.strideW() - g.padLeft();
                boolean inside = x0 >= 0 && x0 + (g.kernelW() - 1) * g.dilationW() < g.inW();
                for (int ky = 0; ky < g.kernelH(); ky++, dst += run) {
                    int y = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                    boolean rowInside = y >= 0 && y < g.inH();
                    if (vector && !rowInside) {
                        zeros.intoArray(out, dst, m);
                    } else if (vector && inside) {
                        ByteVector row = (ByteVector) ROW_TYPE.cast(
                                ByteVector.fromArray(ROW, in, inOff + (y * g.inW() + x0) * c, m));
                        row.intoArray(out, dst, m);
                    } else {
                        taps(g, zeroPoint, in, inOff, out, dst, y, x0);
                    }
                }
            }
        }
    }

    /** One receptive-field row tap by tap: taps outside the image (or the whole row, {@code y} outside) are the zero point. */
    private static void taps(ConvGeometry g, byte zeroPoint, byte[] in, int inOff, byte[] out, int dst, int y, int x0) {
        int c = g.inChannels();
        for (int kx = 0; kx < g.kernelW(); kx++, dst += c) {
            int x = x0 + kx * g.dilationW();
            if (y < 0 || y >= g.inH() || x < 0 || x >= g.inW()) {
                Arrays.fill(out, dst, dst + c, zeroPoint);
            } else {
                System.arraycopy(in, inOff + (y * g.inW() + x) * c, out, dst, c);
            }
        }
    }
}
