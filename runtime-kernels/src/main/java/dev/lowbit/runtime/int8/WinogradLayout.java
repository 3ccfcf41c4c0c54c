package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.fp32.TiledLayout;
import dev.lowbit.runtime.fp32.WinogradGeometry;
import dev.lowbit.runtime.pack.Int8WeightLayout;

/**
 * Which int8 convolutions {@link FmaConvolution} runs as Winograd ({@link FmaWinograd}): exact F(2x2, 3x3), or
 * F(4x4, 3x3) or F(3x3, 3x3) with rounded sums ({@link #rounded}); the weight transforms, and the scratch it needs. Vector-free like {@link FmaLayout}: the processor asks at build time, inside
 * javac, where {@code jdk.incubator.vector} is not loaded. Stateless; thread-safe.
 *
 * <p>The transform (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): a 2x2 block of
 * outputs is {@code Y = A^T [(G g G^T) . (B^T d B)] A} over the 4x4 input tile {@code d} and the 3x3 kernel
 * {@code g}, 16 multiplications per channel instead of 36. This layout uses {@code G' = 2G}, whose entries are
 * integers, so the transformed weights {@code U = G' g G'^T} are integers (4x the textbook ones), the transformed
 * input {@code V = B^T d B} is an integer combination of four centred levels, and {@code A^T M A = 4Y}.
 *
 * <p>Exactness: each of the 16 positions p sums {@code U[p][c] * V[p][c]} over the input channels on the f32 FMA
 * units. Every product and partial sum is an integer of magnitude at most
 * {@code sum over c |U[o][c][p]| * max |V[p]|}, where {@code max |V[p]|} follows from the signs of p's 16
 * coefficients and the level range {@code [-z, 255 - z]} after centring. When that bound is at most 2^24 for every
 * output channel and position, f32 holds every partial sum exactly; the output transform then runs on int32
 * (at most 9 such sums, below 2^31), and {@code 4Y >> 2} is the exact dot product D. A layer whose bound over all
 * its input channels is larger sums runs of channels apart, each within 2^24, and adds the runs on int32
 * ({@link #runStarts}).
 *
 * <p>Rounded sums: a model compiled without {@code @CompiledModel(exactInt8 = true)} runs the 3x3 layers for which
 * the f32 path picks Winograd F(4x4, 3x3) or F(3x3, 3x3) ({@link TiledLayout#winogradGeometry}) the same way
 * ({@link #rounded}): 36 products per input channel for each 4x4 block of outputs instead of 64 in F(2x2) (25 for
 * each 3x3 block instead of 36), from the same centred
 * levels and the int8 weights transformed with the textbook fractional G in double, rounded once to f32. Its sums
 * are not exact integers (no integer form of F(4x4) fits f32's exact range: performance.md), so the epilogue reads
 * a sum within a fraction of a unit of the exact one: on the shared models' photos every F(4x4) layer's sums were
 * within 0.53 of the exact dot products and 0 to 2 levels in 10^5 differed, by one, from the exact path's
 * (FmaConvolutionRoundedTest bounds it on synthetic layers). The same model runs an F(2x2) layer whose exact sums
 * would need several runs of input channels in one run, summed in f32 like the f32 layers' F(2x2)
 * ({@link #roundsSums}): its sums round only where a partial sum passes 2^24.
 */
public final class WinogradLayout {
    /** {@code B^T}: the F(2, 3) input transform. */
    private static final int[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    /** Positions of the 4x4 transformed tile. */
    public static final int POSITIONS = WinogradGeometry.POSITIONS;
    /** Vector lanes of f32 the kernel pads channels to. */
    static final int LANES = WinogradGeometry.LANES;
    /**
     * Fewest input channels. The output transform and its NCHW scatter cost the same per output channel whatever
     * the input channels, the products 16 FMAs per input channel: face-detection's 3x3 layers of 16 and 24 inputs
     * ran 1.1-1.3x slower than the direct FMA path, those of 32 and 48 inputs 1.13x and 1.25x faster (per-layer
     * profiles, 2026-12-02, one JVM each, normalised by the unchanged first layer).
     */
    public static final int MIN_IN_CHANNELS = 32;
    /**
     * Fewest output channels, which must also be whole vectors: face-detection's heads of 36 and 18 outputs (48 and
     * 32 computed) ran slower than the direct path.
     */
    public static final int MIN_OUT_CHANNELS = 32;
    /**
     * Most runs of input channels: each run's products take their own block of scratch and one more int32
     * conversion per position in the output transform.
     */
    public static final int MAX_RUNS = 4;

    private WinogradLayout() {
    }

    /**
     * Whether the shape fits: one group, 3x3, stride 1, no dilation, at least {@link #MIN_IN_CHANNELS} inputs and
     * {@link #MIN_OUT_CHANNELS} outputs in whole vectors of 16, and not a plane the small-plane product takes
     * ({@link FmaLayout#exactSmallPlane}).
     */
    public static boolean shapeFits(ConvGeometry g) {
        return !FmaLayout.exactSmallPlane(g)
                && g.groups() == 1 && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.inChannels() >= MIN_IN_CHANNELS
                && g.outChannels() >= MIN_OUT_CHANNELS && g.outChannels() % LANES == 0;
    }

    /**
     * Whether the layer runs as F(4x4, 3x3) or F(3x3, 3x3) with rounded f32 sums when its model allows it (see the
     * class comment): where the f32 path runs the same shape with that tile ({@link TiledLayout#winograd} with at
     * least 16 inputs and {@link TiledLayout#winogradGeometry}'s tile rule), not on a plane the small-plane product
     * takes exactly, and F(3x3) not where the int8 kernel keeps the layer from Winograd ({@link
     * FmaLayout#int8KernelOverWinograd}: vehicle's 128 -> 128 layer at 5x5 would read 1.6 MB of transformed f32
     * weights instead of 147 KB of int8 ones). Decided by the shape alone, whatever the weights: the sums need no
     * bound.
     */
    public static boolean rounded(ConvGeometry g) {
        if (FmaLayout.exactSmallPlane(g) || !TiledLayout.winograd(g.inChannels(), g.outChannels(), g.outH(), g.outW(),
                g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.dilationH(), g.dilationW(), g.groups())) {
            return false;
        }
        int tile = roundedGeometry(g).outputTile();
        return tile == 4 || tile == 3 && !FmaLayout.int8KernelOverWinograd(g);
    }

    /**
     * The layer's Winograd buffers, or null when it is not Winograd: F(4x4) or F(3x3) with rounded sums when {@link #rounded}
     * and {@code exactSums} is false; else F(2x2) in its exact {@link #runs} of input channels when it {@link #takes}
     * them, or, with {@code exactSums} false, in one run with rounded sums where exact sums would need several
     * ({@link #roundsSums}).
     */
    public static WinogradGeometry plan(ConvGeometry g, byte[] oihw, int zeroPoint, boolean exactSums) {
        Choice choice = choose(g, oihw, zeroPoint, exactSums);
        return choice == null ? null : choice.geometry();
    }

    /**
     * What the generator needs of the layer's Winograd form: its buffers ({@link #plan}) and whether its sums are
     * rounded ({@link #roundsSums}), decided once; null when the layer is not Winograd.
     */
    public static Form form(ConvGeometry g, byte[] oihw, int zeroPoint, boolean exactSums) {
        Choice choice = choose(g, oihw, zeroPoint, exactSums);
        return choice == null ? null : new Form(choice.geometry(), choice.roundedSums());
    }

    /** The part of a layer's Winograd {@link Choice} a generator reads (no weights). Immutable, thread-safe. */
    public record Form(WinogradGeometry geometry, boolean roundedSums) {
    }

    /**
     * How the layer runs as Winograd: its buffers, transformed weights ({@code [p][c][o]}), where each run of input
     * channels starts (then the input channels), and whether its sums are rounded f32 sums rather than exact
     * integers (the output transform then runs in f32).
     */
    record Choice(WinogradGeometry geometry, float[] weights, int[] runStarts, boolean roundedSums) {
    }

    /**
     * The one place that decides {@link #plan} and {@link #roundsSums}; null when the layer is not Winograd. Not a
     * layer the speed rule leaves to the int8 kernel ({@link FmaLayout#int8KernelOverWinograd}), which reaches FMA only
     * for its border term: its transformed f32 weights are up to 7x its int8 ones, and head-pose's conv5 (128 -> 256
     * at 4x4) took PairedModels from 0.92 to 0.97-0.99 of ONNX Runtime's time as Winograd (the recovery after the other
     * runs grows with the bytes read), at the same warm-loop time.
     */
    static Choice choose(ConvGeometry g, byte[] oihw, int zeroPoint, boolean exactSums) {
        int[] oneRun = {0, g.inChannels()};
        if (!exactSums && rounded(g)) {
            return new Choice(roundedGeometry(g), roundedWeights(g, oihw), oneRun, true);
        }
        if (FmaLayout.int8KernelOverWinograd(g)) {
            return null;
        }
        if (!shapeFits(g)) {
            return null;
        }
        float[] weights = transformedWeights(g, oihw);
        int[] starts = runStarts(g, weights, zeroPoint);
        if (starts != null && (exactSums || starts.length == 2)) {
            return new Choice(geometry(g, starts.length - 1), weights, starts, false);
        }
        // the f32 layers' F(2x2): the same integer weights in one run, sums rounded where a partial sum passes 2^24
        return exactSums ? null : new Choice(geometry(g, 1), weights, oneRun, true);
    }

    /** {@link #shapeFits} and exact on f32 in at most {@link #MAX_RUNS} runs of input channels ({@link #runs}). */
    public static boolean takes(ConvGeometry g, byte[] oihw, int zeroPoint) {
        return runs(g, oihw, zeroPoint) > 0;
    }

    /**
     * As {@link #takes(ConvGeometry, byte[], int)} with {@code exactSums}; without, every layer that {@link
     * #shapeFits}, in one run of input channels with rounded sums where its exact sums would need several.
     */
    public static boolean takes(ConvGeometry g, byte[] oihw, int zeroPoint, boolean exactSums) {
        return exactSums ? takes(g, oihw, zeroPoint) : shapeFits(g);
    }

    /**
     * Whether the layer's Winograd sums are rounded f32 sums, not exact integers: never with {@code exactSums};
     * without, F(4x4) and F(3x3) ({@link #rounded}), and F(2x2) where exact sums would need more than one run of input
     * channels ({@link #runs}). One run of rounded sums costs what the f32 layers' F(2x2) costs: vehicle-attributes'
     * 3x3 128 -> 128 layer at 9x9, exact in two runs, took 123 us, in one run 107-109 (per-layer profile, one JVM
     * each, 2026-12-03, by hand).
     */
    public static boolean roundsSums(ConvGeometry g, byte[] oihw, int zeroPoint, boolean exactSums) {
        Choice choice = choose(g, oihw, zeroPoint, exactSums);
        return choice != null && choice.roundedSums();
    }

    /**
     * The runs of input channels the layer's products sum in, or 0 when it does not run as Winograd (shape, or more
     * than {@link #MAX_RUNS} runs): 1 when {@link #largestPartialSum} is within 2^24.
     */
    public static int runs(ConvGeometry g, byte[] oihw, int zeroPoint) {
        int[] starts = runStarts(g, oihw, zeroPoint);
        return starts == null ? 0 : starts.length - 1;
    }

    /**
     * Where each run of input channels starts, then the input channels; null when the layer does not run as
     * Winograd. Each run is as long as it can be with every output channel's and position's bound
     * {@code sum over the run's c |U[o][c][p]| * max|V[p]|} within 2^24, so its f32 sums are exact integers; the runs
     * add on int32 (at most {@link #MAX_RUNS} x 2^24 each, nine of them in the output transform: below 2^31). Taking
     * each run as long as it can be gives the fewest runs. Vehicle-attributes' 128 -> 128 layers at 9x9 and 5x5
     * reach 1.85 and 1.73 x 2^24 over all their channels: two runs each.
     */
    static int[] runStarts(ConvGeometry g, byte[] oihw, int zeroPoint) {
        return shapeFits(g) ? runStarts(g, transformedWeights(g, oihw), zeroPoint) : null;
    }

    /** As {@link #runStarts(ConvGeometry, byte[], int)} from the layer's {@link #transformedWeights} (exact integers). */
    static int[] runStarts(ConvGeometry g, float[] u, int zeroPoint) {
        int oc = g.outChannels(), ic = g.inChannels();
        long[] vMax = largestInputs(zeroPoint);
        long[] run = new long[POSITIONS * oc];
        java.util.List<Integer> starts = new java.util.ArrayList<>(java.util.List.of(0));
        for (int c = 0; c < ic; c++) {
            boolean fits = true, alone = true;
            for (int p = 0; p < POSITIONS; p++) {
                for (int o = 0; o < oc; o++) {
                    long a = (long) Math.abs(u[(p * ic + c) * oc + o]);
                    fits &= (run[p * oc + o] + a) * vMax[p] <= FmaLayout.EXACT_LIMIT;
                    alone &= a * vMax[p] <= FmaLayout.EXACT_LIMIT;
                }
            }
            if (!alone) {
                return null;
            }
            if (!fits) {
                starts.add(c);
                java.util.Arrays.fill(run, 0);
            }
            for (int p = 0; p < POSITIONS; p++) {
                for (int o = 0; o < oc; o++) {
                    run[p * oc + o] += (long) Math.abs(u[(p * ic + c) * oc + o]);
                }
            }
        }
        if (starts.size() > MAX_RUNS) {
            return null;
        }
        starts.add(ic);
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The bound on |partial sum| of any output channel at any position (see the class comment). */
    public static long largestPartialSum(ConvGeometry g, byte[] oihw, int zeroPoint) {
        int oc = g.outChannels(), ic = g.inChannels();
        float[] u = transformedWeights(g, oihw);
        long[] vMax = largestInputs(zeroPoint);
        long widest = 0;
        for (int p = 0; p < POSITIONS; p++) {
            for (int o = 0; o < oc; o++) {
                long sum = 0;
                for (int c = 0; c < ic; c++) {
                    sum += (long) Math.abs(u[(p * ic + c) * oc + o]);
                }
                widest = Math.max(widest, sum * vMax[p]);
            }
        }
        return widest;
    }

    private static void checkWeights(ConvGeometry g, byte[] oihw) {
        if (oihw.length != g.outChannels() * g.inChannels() * 9) {
            throw new IllegalArgumentException(oihw.length + " weights do not fit 3x3 " + g);
        }
    }

    /** {@link #largestInput} of every position. */
    private static long[] largestInputs(int zeroPoint) {
        long[] vMax = new long[POSITIONS];
        for (int p = 0; p < POSITIONS; p++) {
            vMax[p] = largestInput(p, zeroPoint);
        }
        return vMax;
    }

    /**
     * The largest |V[p]| over 4x4 tiles of centred levels in {@code [-z, 255 - z]}: V[p] adds P levels and
     * subtracts N, so it lies in {@code [-(P z + N (255 - z)), P (255 - z) + N z]}.
     */
    static long largestInput(int p, int zeroPoint) {
        int i = p / 4, j = p % 4, plus = 0, minus = 0;
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                int coefficient = BT[i][a] * BT[j][b];
                plus += coefficient > 0 ? 1 : 0;
                minus += coefficient < 0 ? 1 : 0;
            }
        }
        long up = 255L - zeroPoint;
        return Math.max(plus * up + minus * (long) zeroPoint, plus * (long) zeroPoint + minus * up);
    }

    /**
     * {@code u[p] = (G' g G'^T)[p / 4][p % 4]} for the 3x3 kernel at {@code w[at ..]} (row-major): integers, which
     * the shared transform computes exactly in double (the one-kernel view WinogradLayoutTest checks; the layer's
     * bounds read {@link #transformedWeights}).
     */
    static void transform(byte[] w, int at, int[] u) {
        float[] kernel = new float[9];
        for (int i = 0; i < 9; i++) {
            kernel[i] = w[at + i];
        }
        double[] exact = new double[POSITIONS];
        WinogradGeometry.transform(kernel, 0, exact);
        for (int p = 0; p < POSITIONS; p++) {
            u[p] = (int) exact[p];
        }
    }

    /**
     * The transformed weights as f32, {@code [p][c][o]}: the kernel loads 16 output channels of one position and
     * input channel per vector ({@link #shapeFits} admits whole vectors of output channels only).
     */
    static float[] transformedWeights(ConvGeometry g, byte[] oihw) {
        checkWeights(g, oihw);
        // integer kernels: the double transform is exact, and its values (at most 9 x 128 in magnitude) are f32
        return WinogradGeometry.transformedWeights(Int8WeightLayout.asFloats(oihw), g.inChannels(), g.outChannels());
    }

    /**
     * F(4x4)'s or F(3x3)'s transformed weights as f32, {@code [p][c][o]}: the textbook transform of the int8 kernels
     * in double, rounded once, as the f32 layers' ({@link WinogradGeometry#transformedWeights(float[], int, int,
     * int)}).
     */
    static float[] roundedWeights(ConvGeometry g, byte[] oihw) {
        checkWeights(g, oihw);
        return WinogradGeometry.transformedWeights(Int8WeightLayout.asFloats(oihw), g.inChannels(), g.outChannels(),
                roundedGeometry(g).outputTile());
    }

    /** The f32 path's Winograd buffers for the shape: the tile its rule picks, one run of channels. */
    static WinogradGeometry roundedGeometry(ConvGeometry g) {
        return TiledLayout.winogradGeometry(g.inChannels(), g.inH(), g.inW(), g.outChannels(), g.outH(), g.outW(),
                g.padTop(), g.padLeft());
    }

    /** The engine's buffers for the layer ({@link #shapeFits} it) summed in {@code runs} runs of input channels. */
    static WinogradGeometry geometry(ConvGeometry g, int runs) {
        return new WinogradGeometry(g.inChannels(), g.outChannels(), g.inH(), g.inW(), g.outH(), g.outW(),
                g.padTop(), g.padLeft(), runs, 2);
    }
}
