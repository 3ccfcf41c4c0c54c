package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.fp32.TiledLayout;
import dev.lowbit.runtime.fp32.WinogradGeometry;

/**
 * Which int8 convolutions run on {@link FmaConvolution} (exact integer sums on the f32 FMA units, or the rounded
 * sums of Winograd F(4x4) where the model allows them: {@link WinogradLayout#rounded}). Kept apart from
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
    /**
     * Fewest outputs of a small-plane layer that Winograd takes from the int8 kernel. Vehicle-attributes' 3x3
     * 128 -> 128 layers, summed in two runs of input channels (per-layer profiles of the model, 2026-12-02): at 9x9
     * 158 -> 125 us, at 5x5 55 -> 59 us; head-pose's 128 -> 256 layer at 4x4 (one run) 83 -> 85 us. Re-measured at
     * 20:40 that day (16 outputs): in the profile's warm loop the 4x4 layer took 44-50 us as Winograd against 58-61,
     * but in PairedModels, where ONNX Runtime's runs between blocks of four inferences evict the weights, head-pose
     * int8 / ORT was 0.90 and 0.92 with it against 0.89 and 0.91 without: Winograd reads its weights transformed, as
     * f32 (16 / 9 x 4 bytes per int8 weight: 2.1 MB against 295 KB for that layer), and four 2x2 tiles use each
     * only four times. Kept at 81.
     */
    static final int WINOGRAD_OVER_INT8_KERNEL_PIXELS = 81;
    /**
     * Most outputs of a small-plane layer that runs on FMA whatever its weights (the exact integer mode of the
     * small-plane product: int8 weights widened in registers, int32 every 512 products), where the int8 kernel
     * leaves most of its pixel tiles idle. Same layer, same JVM, int8 kernel vs this path (2026-12-02, random
     * weights, by hand): 2x2 outputs 256 -> 512 103 vs 62 us, 128 -> 256 25 vs 16; 3x3 outputs 256 -> 512 231 vs
     * 178, 128 -> 256 56 vs 48, 128 -> 128 29 vs 23; but 4x4 outputs 256 -> 512 222 vs 237, 128 -> 256 57 vs 66,
     * and 5x5 and 9x9 planes 1.1-1.3x slower here.
     */
    static final int EXACT_SMALL_PLANE_PIXELS = 9;

    private FmaLayout() {
    }

    /**
     * One group, and either on a plane of at most {@link #EXACT_SMALL_PLANE_PIXELS} outputs ({@link
     * #exactSmallPlane}, exact for any weights), or as Winograd ({@link WinogradLayout#takes}), or exact on the direct
     * tiles ({@link #largestPartialSum} at most {@link #EXACT_LIMIT}); layers where the int8 kernels are faster than
     * the direct tiles ({@link #int8KernelFaster}) only as Winograd, and only on planes of at least
     * {@link #WINOGRAD_OVER_INT8_KERNEL_PIXELS} outputs.
     *
     * @param oihw the int8 weights {@code [oc][ic][kh][kw]}
     * @param zeroPoint the input's integer zero point (u8 levels)
     */
    public static boolean takes(ConvGeometry g, byte[] oihw, int zeroPoint) {
        return takes(g, oihw, zeroPoint, true);
    }

    /**
     * The shape {@code FmaPointwise} runs: one group, 1x1, stride 1, no padding, outputs in whole tiles of 8 channels
     * and at least one tile of 2 x 16 pixels. Here, free of the Vector API, because the processor asks it at build
     * time (javac runs the processor without {@code jdk.incubator.vector}).
     */
    public static boolean pointwiseShape(ConvGeometry g) {
        boolean pointwise = g.groups() == 1 && g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1
                && g.strideW() == 1 && g.padTop() == 0 && g.padLeft() == 0 && g.outH() == g.inH() && g.outW() == g.inW();
        return pointwise && g.outChannels() % 8 == 0 && g.outH() * g.outW() >= 32;
    }

    /**
     * As {@link #takes(ConvGeometry, byte[], int)}; with {@code exactSums} false also every layer that runs as
     * Winograd F(4x4, 3x3) or F(3x3, 3x3) with rounded sums ({@link WinogradLayout#rounded}), whatever its weights, and Winograd
     * F(2x2) in one run of input channels with rounded sums where the rules above pick Winograd and exact sums
     * would need several runs or more than {@link WinogradLayout#MAX_RUNS} ({@link WinogradLayout#roundsSums}).
     */
    public static boolean takes(ConvGeometry g, byte[] oihw, int zeroPoint, boolean exactSums) {
        if (!exactSums && WinogradLayout.rounded(g)) {
            return true;
        }
        if (g.groups() != 1) {
            return false;
        }
        if (exactSmallPlane(g)) {
            return true;
        }
        if (int8KernelFaster(g)) {
            return !int8KernelOverWinograd(g) && WinogradLayout.takes(g, oihw, zeroPoint, exactSums);
        }
        return largestPartialSum(g, oihw, zeroPoint) <= EXACT_LIMIT
                || WinogradLayout.takes(g, oihw, zeroPoint, exactSums);
    }

    /**
     * As {@link #takes(ConvGeometry, byte[], int, boolean)}; a layer that {@code needsBorderTerm} (a fractional zero
     * point and padding) also where the speed rule ({@link #int8KernelFaster}) would leave it to the int8 kernel,
     * which pads with the integer level and has no border term, wherever this path runs it exactly in one group: on
     * the small-plane product's exact integer mode (int8 weights) or the exact direct tiles. Never as Winograd
     * ({@link #int8KernelOverWinograd}, {@code WinogradLayout.choose}): its transformed f32 weights are up to 7x the
     * int8 ones. The IR's arithmetic comes before the microseconds the rule saves (head-pose's conv5, 128 -> 256 at
     * 4x4: 95.8 us against 88.0 on the int8 kernel in a warm loop, docs/performance.md).
     */
    public static boolean takes(ConvGeometry g, byte[] oihw, int zeroPoint, boolean exactSums, boolean needsBorderTerm) {
        if (takes(g, oihw, zeroPoint, exactSums)) {
            return true;
        }
        return needsBorderTerm && g.groups() == 1 && int8KernelFaster(g)
                && (TiledLayout.smallPlane(g.groups(), g.outH(), g.outW(), g.outChannels(), g.kernelH(), g.kernelW())
                        || largestPartialSum(g, oihw, zeroPoint) <= EXACT_LIMIT);
    }

    /**
     * The speed rule's Winograd side: a layer the int8 kernel runs faster than the direct tiles
     * ({@link #int8KernelFaster}) on a plane of fewer than {@link #WINOGRAD_OVER_INT8_KERNEL_PIXELS} outputs, which
     * Winograd does not take from it either. Such a layer reaches FMA only for its border term, and then never as
     * Winograd ({@code WinogradLayout.choose}).
     */
    static boolean int8KernelOverWinograd(ConvGeometry g) {
        return int8KernelFaster(g) && g.outH() * g.outW() < WINOGRAD_OVER_INT8_KERNEL_PIXELS;
    }

    /**
     * Whether a layer with a fractional zero point that runs on the tiled convolution (not Winograd, not 1x1
     * pointwise) pads with its border level {@code z - p}, which makes its sums rounded f32 sums, rather than adding
     * the term to its exact integer sums after them: where the model allows rounded sums, and not on a small plane,
     * whose exact integer mode moves its sums to int32. The build's report says which.
     */
    public static boolean padsWithBorderLevel(ConvGeometry g, boolean exactSums) {
        return !exactSums && !TiledLayout.smallPlane(g.groups(), g.outH(), g.outW(), g.outChannels(), g.kernelH(),
                g.kernelW());
    }

    /**
     * A one-group layer, not 1x1, on a small plane ({@link TiledLayout#smallPlane}) of at most
     * {@link #EXACT_SMALL_PLANE_PIXELS} outputs: it runs on the small-plane product in its exact integer mode, never
     * as Winograd (one to four 2x2 tiles).
     */
    public static boolean exactSmallPlane(ConvGeometry g) {
        return TiledLayout.smallPlane(g.groups(), g.outH(), g.outW(), g.outChannels(), g.kernelH(), g.kernelW())
                && g.outH() * g.outW() <= EXACT_SMALL_PLANE_PIXELS && g.kernelH() * g.kernelW() > 1;
    }

    /**
     * Floats of {@code FmaConvolution}'s conv scratch shared by its workers: Winograd's padded channels-last input
     * ({@code winograd}: {@link WinogradLayout#plan}, null when not Winograd) or the f32 tiled convolution's padded
     * or gathered planes.
     */
    public static int sharedScratchFloats(ConvGeometry g, WinogradGeometry winograd) {
        return winograd != null ? winograd.inputFloats() : TiledLayout.scratchFloats(g.inChannels(), g.inH(),
                g.inW(), g.outChannels(), g.outH(), g.outW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(),
                g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), 1);
    }

    /** Floats of that scratch each worker needs on its own: a Winograd block (with its runs' products), or none. */
    public static int workerScratchFloats(WinogradGeometry winograd) {
        return winograd != null ? winograd.blockFloats() : 0;
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
