package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.fp32.TiledLayout;

/**
 * Which int8 convolutions run on {@link FmaConvolution} (exact integer sums on the f32 FMA units). Kept apart from
 * it because the processor asks at build time, inside javac, where {@code jdk.incubator.vector} is not loaded
 * (FmaConvolution holds an f32 tiled convolution with Vector API fields). Stateless; thread-safe.
 *
 * <p>Exactness is decided from the layer's own weights: with input levels centred on the zero point z
 * ({@code |q - z| <= max(z, 255 - z)}), every partial sum of output channel o, in any order, is an integer of
 * magnitude at most {@code max(z, 255 - z) * sum over taps |w[o]|}. When that bound is at most 2^24 for every
 * channel, f32 holds every partial sum exactly, so the f32 FMA sums are the int8 kernels' int32 sums.
 */
public final class FmaLayout {
    /** 2^24: every integer of at most this magnitude is an f32 value (2^24 + 1 is not). */
    public static final long EXACT_LIMIT = 1L << 24;

    private FmaLayout() {
    }

    /**
     * One group, exact ({@link #largestPartialSum} at most {@link #EXACT_LIMIT}), and not a shape where the int8
     * kernels are faster ({@link #int8KernelFaster}).
     *
     * @param oihw the int8 weights {@code [oc][ic][kh][kw]}
     * @param zeroPoint the input's integer zero point (u8 levels)
     */
    public static boolean takes(ConvGeometry g, byte[] oihw, int zeroPoint) {
        return g.groups() == 1 && !int8KernelFaster(g) && largestPartialSum(g, oihw, zeroPoint) <= EXACT_LIMIT;
    }

    /**
     * Floats of {@code FmaConvolution}'s conv scratch shared by its workers: Winograd's padded channels-last input
     * ({@code winograd}: {@link WinogradLayout#takes}) or the f32 tiled convolution's padded or gathered planes.
     */
    public static int sharedScratchFloats(ConvGeometry g, boolean winograd) {
        return winograd ? WinogradLayout.inputFloats(g) : TiledLayout.scratchFloats(g.inChannels(), g.inH(), g.inW(),
                g.outChannels(), g.outH(), g.outW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(),
                g.padLeft(), g.dilationH(), g.dilationW(), 1);
    }

    /** Floats of that scratch each worker needs on its own: a Winograd block, or none. */
    public static int workerScratchFloats(ConvGeometry g, boolean winograd) {
        return winograd ? WinogradLayout.blockFloats(g) : 0;
    }

    /**
     * Strided 1x1 layers of at least 64 outputs (the f32 path gathers their pixels per input channel) and layers
     * the f32 path runs on its small-plane kernel when they are strided or have at least 128 input channels.
     * Measured per layer in one JVM (2026-12-01, int8 kernel vs this path, us): vehicle-attributes 1x1 s2
     * 64 -> 128 at 9x9 11.4 vs 18.0, 1x1 s2 128 -> 128 at 5x5 6.4 vs 16.2, 3x3 s2 128 -> 128 at 5x5 54 vs 91,
     * 3x3 s2 64 -> 128 at 9x9 90 vs 98, 3x3 128 -> 128 at 9x9 162 vs 177. But face-detection's 1x1 s2 256 -> 32
     * at 19x19 (two runs of channels) took 678 us on the int8 kernel (4.4 GMAC/s: 32 outputs fill two of its
     * 16-lane blocks), landmarks-regression's 3x3 64 -> 64 and 64 -> 128 at 6x6 (small plane, 64 inputs, stride 1)
     * 30 vs 22 and 57 vs 40, and every larger plane is faster here (3x3 64 -> 64 at 18x18 178 vs 165).
     */
    static boolean int8KernelFaster(ConvGeometry g) {
        boolean strided = g.strideH() > 1 || g.strideW() > 1;
        if (strided && g.kernelH() == 1 && g.kernelW() == 1) {
            return g.outChannels() >= 64;
        }
        return TiledLayout.smallPlane(g.groups(), g.outH(), g.outW(), g.outChannels(), g.kernelH(), g.kernelW())
                && (strided || g.inChannels() >= 128);
    }

    /** The bound on |partial sum| over all output channels: {@code max(z, 255 - z) * max_o sum |w[o]|}. */
    public static long largestPartialSum(ConvGeometry g, byte[] oihw, int zeroPoint) {
        int oc = g.outChannels(), k = oihw.length / oc;
        if (oihw.length != (long) oc * g.inChannels() / g.groups() * g.kernelH() * g.kernelW()) {
            throw new IllegalArgumentException(oihw.length + " weights do not fit " + g);
        }
        long widest = 0;
        for (int o = 0; o < oc; o++) {
            long sum = 0;
            for (int r = 0; r < k; r++) {
                sum += Math.abs(oihw[o * k + r]);
            }
            widest = Math.max(widest, sum);
        }
        return Math.max(zeroPoint, 255 - zeroPoint) * widest;
    }
}
