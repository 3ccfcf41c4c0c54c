package dev.lowbit.runtime.int8;

/**
 * Which int8 convolutions {@link FmaConvolution} runs as Winograd F(2x2, 3x3) ({@link FmaWinograd}), the weight
 * transform, and the scratch it needs. Vector-free like {@link FmaLayout}: the processor asks at build time, inside
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
 * (at most 9 such sums, below 2^31), and {@code 4Y >> 2} is the exact dot product D.
 */
public final class WinogradLayout {
    /** {@code 2G}: the F(2, 3) weight transform scaled to integers. */
    private static final int[][] G2 = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};
    /** {@code B^T}: the F(2, 3) input transform. */
    private static final int[][] BT = {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}};
    /** Positions of the 4x4 transformed tile. */
    public static final int POSITIONS = 16;
    /** Vector lanes of f32 the kernel pads channels to. */
    static final int LANES = 16;
    /** Tiles per microkernel step. */
    static final int TILE_STEP = 4;
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
    /** Floats of transformed input and products per block of tiles: about 512 KB, half of a 1 MB L2. */
    private static final int BLOCK_FLOATS = 1 << 17;

    private WinogradLayout() {
    }

    /**
     * Whether the shape fits: one group, 3x3, stride 1, no dilation, at least {@link #MIN_IN_CHANNELS} inputs and
     * {@link #MIN_OUT_CHANNELS} outputs in whole vectors of 16.
     */
    public static boolean shapeFits(ConvGeometry g) {
        return g.groups() == 1 && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.inChannels() >= MIN_IN_CHANNELS
                && g.outChannels() >= MIN_OUT_CHANNELS && g.outChannels() % LANES == 0;
    }

    /** {@link #shapeFits} and exact on f32 ({@link #largestPartialSum} at most 2^24). */
    public static boolean takes(ConvGeometry g, byte[] oihw, int zeroPoint) {
        return shapeFits(g) && largestPartialSum(g, oihw, zeroPoint) <= FmaLayout.EXACT_LIMIT;
    }

    /** The bound on |partial sum| of any output channel at any position (see the class comment). */
    public static long largestPartialSum(ConvGeometry g, byte[] oihw, int zeroPoint) {
        int oc = g.outChannels(), ic = g.inChannels();
        if (oihw.length != oc * ic * 9) {
            throw new IllegalArgumentException(oihw.length + " weights do not fit 3x3 " + g);
        }
        long[] vMax = new long[POSITIONS];
        for (int p = 0; p < POSITIONS; p++) {
            vMax[p] = largestInput(p, zeroPoint);
        }
        long widest = 0;
        int[] u = new int[POSITIONS];
        for (int o = 0; o < oc; o++) {
            long[] sum = new long[POSITIONS];
            for (int c = 0; c < ic; c++) {
                transform(oihw, (o * ic + c) * 9, u);
                for (int p = 0; p < POSITIONS; p++) {
                    sum[p] += Math.abs(u[p]);
                }
            }
            for (int p = 0; p < POSITIONS; p++) {
                widest = Math.max(widest, sum[p] * vMax[p]);
            }
        }
        return widest;
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

    /** {@code u[p] = (G' g G'^T)[p / 4][p % 4]} for the 3x3 kernel at {@code w[at ..]} (row-major). */
    static void transform(byte[] w, int at, int[] u) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                int s = 0;
                for (int k = 0; k < 3; k++) {
                    for (int l = 0; l < 3; l++) {
                        s += G2[i][k] * w[at + k * 3 + l] * G2[j][l];
                    }
                }
                u[i * 4 + j] = s;
            }
        }
    }

    /**
     * The transformed weights as f32, {@code [p][c][o]}: the kernel loads 16 output channels of one position and
     * input channel per vector ({@link #shapeFits} admits whole vectors of output channels only).
     */
    static float[] transformedWeights(ConvGeometry g, byte[] oihw) {
        int oc = g.outChannels(), ic = g.inChannels();
        float[] weights = new float[POSITIONS * ic * oc];
        int[] u = new int[POSITIONS];
        for (int o = 0; o < oc; o++) {
            for (int c = 0; c < ic; c++) {
                transform(oihw, (o * ic + c) * 9, u);
                for (int p = 0; p < POSITIONS; p++) {
                    weights[(p * ic + c) * oc + o] = u[p];
                }
            }
        }
        return weights;
    }

    /** Input channels rounded up to whole vectors (the input transform's unit). */
    static int paddedIn(ConvGeometry g) {
        return roundUp(g.inChannels(), LANES);
    }

    static int tileRows(ConvGeometry g) {
        return (g.outH() + 1) / 2;
    }

    static int tileColumns(ConvGeometry g) {
        return (g.outW() + 1) / 2;
    }

    /** Rows of the zero-padded channels-last input: two per tile row plus the 3x3 kernel's two. */
    static int inputRows(ConvGeometry g) {
        return 2 * tileRows(g) + 2;
    }

    static int inputColumns(ConvGeometry g) {
        return 2 * tileColumns(g) + 2;
    }

    /**
     * Tiles per block: whole microkernel steps whose transformed input and products ({@code 16 * tiles * (Cp + oc)}
     * floats) stay within about half of L2, at most the layer's tiles rounded up to a step.
     */
    static int blockTiles(ConvGeometry g) {
        int perTile = POSITIONS * (paddedIn(g) + g.outChannels());
        int tiles = Math.max(TILE_STEP, BLOCK_FLOATS / perTile / TILE_STEP * TILE_STEP);
        return Math.min(tiles, roundUp(tileRows(g) * tileColumns(g), TILE_STEP));
    }

    /** Floats of the channels-last padded input. */
    static int inputFloats(ConvGeometry g) {
        return inputRows(g) * inputColumns(g) * paddedIn(g);
    }

    /** Floats of one block's transformed input and products, and 192 for the output transform's lanes. */
    static int blockFloats(ConvGeometry g) {
        return POSITIONS * blockTiles(g) * (paddedIn(g) + g.outChannels()) + 12 * LANES;
    }

    /** Floats of scratch {@link FmaWinograd} needs: the padded input, then one block per worker. */
    public static int scratchFloats(ConvGeometry g, int workers) {
        return inputFloats(g) + workers * blockFloats(g);
    }

    private static int roundUp(int n, int step) {
        return (n + step - 1) / step * step;
    }
}
