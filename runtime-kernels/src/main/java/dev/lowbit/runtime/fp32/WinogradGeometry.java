package dev.lowbit.runtime.fp32;

/**
 * The buffers of a Winograd F(2x2, 3x3), F(3x3, 3x3) or F(4x4, 3x3) layer ({@link WinogradTiles}) for a 3x3 stride-1
 * convolution of one group:
 * the zero-padded channels-last input, the tiles, and the blocks of tiles whose transformed input and products
 * stay within about half of L2, and the weight transform. Vector-free: the processor sizes scratch with it inside javac, where
 * {@code jdk.incubator.vector} is not loaded. Immutable, so thread-safe.
 *
 * @param inChannels  input channels
 * @param outChannels output channels, whole vectors of 16
 * @param inH         input rows
 * @param inW         input columns
 * @param outH        output rows
 * @param outW        output columns
 * @param padTop      zero rows above the input
 * @param padLeft     zero columns left of it
 * @param channelRuns runs of input channels whose products are summed apart (int8 layers whose sums over all
 *                    channels could exceed 2^24; 1 otherwise)
 * @param outputTile  outputs per tile side: 2 for F(2x2, 3x3) (integer transforms: the int8 layers), 3 for
 *                    F(3x3, 3x3) or 4 for F(4x4, 3x3) (f32 sums only: fractional weight transforms, one run)
 */
public record WinogradGeometry(int inChannels, int outChannels, int inH, int inW, int outH, int outW, int padTop,
        int padLeft, int channelRuns, int outputTile) {
    /** Positions of F(2x2, 3x3)'s 4x4 transformed tile (the int8 layers' bounds are per position). */
    public static final int POSITIONS = 16;
    /** Vector lanes of f32 the kernel pads channels to. */
    public static final int LANES = 16;
    /** Tiles per microkernel step. */
    public static final int TILE_STEP = 4;
    /** {@code 2G}: the F(2, 3) weight transform scaled to integers. */
    private static final double[][] G2 = {{2, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 2}};
    /**
     * F(3, 3)'s weight transform (interpolation points 0, 1, -1, 2 and infinity), the one whose input transform
     * {@code B^T} is in {@link WinogradTiles}' {@code inputRows5}: derived by the Toom-Cook construction and checked
     * to give {@code A^T [(G g) . (B^T d)] = g correlated with d} exactly in rationals (WinogradTilesTest checks the
     * f32 products against the direct sums).
     */
    private static final double[][] G3 = {{1 / 2.0, 0, 0}, {-1 / 2.0, -1 / 2.0, -1 / 2.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 6.0, 1 / 3.0, 2 / 3.0}, {0, 0, 1}};
    /** F(4, 3)'s weight transform (interpolation points 0, 1, -1, 2, -2 and infinity; Lavin and Gray). */
    private static final double[][] G4 = {{1 / 4.0, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};
    /** Floats of transformed input and products per block of tiles: about 512 KB, half of a 1 MB L2. */
    private static final int BLOCK_FLOATS = 1 << 17;

    public WinogradGeometry {
        if (outChannels % LANES != 0 || inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("Winograd needs output channels in whole vectors of " + LANES + ": "
                    + inChannels + " -> " + outChannels);
        }
        if (channelRuns < 1 || channelRuns > inChannels) {
            throw new IllegalArgumentException(channelRuns + " runs of " + inChannels + " input channels");
        }
        if (outputTile != 2 && ((outputTile != 3 && outputTile != 4) || channelRuns != 1)) {
            throw new IllegalArgumentException("Winograd F(" + outputTile + "x" + outputTile + ", 3x3) in " + channelRuns
                    + " runs: F(2x2) in runs, or F(3x3) or F(4x4) in one");
        }
    }

    /** Input channels rounded up to whole vectors (the input transform's unit). */
    public int paddedIn() {
        return roundUp(inChannels, LANES);
    }

    /** Side of the transformed input tile: the output tile and the kernel's two. */
    public int inputTile() {
        return outputTile + 2;
    }

    /** Positions of the transformed tile: 16 for F(2x2, 3x3), 25 for F(3x3, 3x3), 36 for F(4x4, 3x3). */
    public int positions() {
        return inputTile() * inputTile();
    }

    public int tileRows() {
        return (outH + outputTile - 1) / outputTile;
    }

    public int tileColumns() {
        return (outW + outputTile - 1) / outputTile;
    }

    public int tiles() {
        return tileRows() * tileColumns();
    }

    /** Rows of the zero-padded channels-last input: an output tile's per tile row plus the 3x3 kernel's two. */
    public int inputRows() {
        return outputTile * tileRows() + 2;
    }

    public int inputColumns() {
        return outputTile * tileColumns() + 2;
    }

    /**
     * Tiles per block: whole microkernel steps whose transformed input and products
     * ({@code positions * tiles * (Cp + runs * oc)} floats) stay within about half of L2, at most the layer's tiles
     * rounded up to a step.
     */
    public int blockTiles() {
        int perTile = positions() * (paddedIn() + channelRuns * outChannels);
        int tiles = Math.max(TILE_STEP, BLOCK_FLOATS / perTile / TILE_STEP * TILE_STEP);
        return Math.min(tiles, steppedTiles());
    }

    /** The layer's tiles rounded up to whole microkernel steps: what the products run over. */
    public int steppedTiles() {
        return roundUp(tiles(), TILE_STEP);
    }

    /** Products per pair of input and output channels: every position of every tile the microkernel steps over. */
    public long steppedProducts() {
        return (long) steppedTiles() * positions();
    }

    /**
     * Floats from one position of the block's transformed input to the next: its tiles' rows of Cp, plus one cache
     * line. Without it the stride was a multiple of 4 KB for whole blocks of 64 tiles of 64 channels, so the 16
     * positions of a tile, which the transforms read or write together, fell into one L1 set (12 ways): the int8 64 ->
     * 64 layer at 18x18 took 131-149 us instead of 105-109 (same layer, alternating JVMs, by hand). Tiles x channels
     * is a multiple of 64 floats, so the extra 16 keep every stride off a multiple of 4 KB.
     */
    public int inputPositionStride() {
        return blockTiles() * paddedIn() + LANES;
    }

    /**
     * Floats from one position of a block's products to the next: its tiles' rows of oc, plus one cache line (see
     * {@link #inputPositionStride}).
     */
    public int productPositionStride() {
        return blockTiles() * outChannels + LANES;
    }

    /** Floats of the channels-last padded input. */
    public int inputFloats() {
        return inputRows() * inputColumns() * paddedIn();
    }

    /**
     * Floats of one block's transformed input and products (per run), and the transforms' intermediate vectors:
     * 12 for F(2x2); for F(4x4) 40 (36 for B^T d of a 6x6 tile; then 24 + 16 for the output transform), for F(3x3)
     * 25 (B^T d of a 5x5 tile; then 15 + 9).
     */
    public int blockFloats() {
        int intermediate = outputTile == 2 ? 12 : Math.max(positions(), (inputTile() + outputTile) * outputTile);
        return positions() * (inputPositionStride() + channelRuns * productPositionStride()) + intermediate * LANES;
    }

    /** Floats of scratch a layer needs: the padded input, then one block per worker. */
    public int scratchFloats(int workers) {
        return inputFloats() + workers * blockFloats();
    }

    /**
     * {@code u[p] = (G' g G'^T)[p / 4][p % 4]} for the 3x3 kernel {@code g(k, l) = w[at + 3k + l]}, row-major, in
     * double (exact for integer kernels; for f32 kernels rounded once when stored as f32).
     */
    public static void transform(float[] w, int at, double[] u) {
        sandwich(G2, w, at, u);
    }

    /** The weight transform of F(outputTile x outputTile, 3x3): G' = 2G for 2, G for 3 and 4. */
    private static double[][] weightTransform(int outputTile) {
        return switch (outputTile) {
            case 2 -> G2;
            case 3 -> G3;
            case 4 -> G4;
            default -> throw new IllegalArgumentException("no Winograd F(" + outputTile + "x" + outputTile + ", 3x3)");
        };
    }

    /** {@code u = G g G^T} (row-major, side G's rows) for the 3x3 kernel {@code g(k, l) = w[at + 3k + l]}, in double. */
    private static void sandwich(double[][] g, float[] w, int at, double[] u) {
        int side = g.length;
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    for (int l = 0; l < 3; l++) {
                        s += g[i][k] * w[at + k * 3 + l] * g[j][l];
                    }
                }
                u[i * side + j] = s;
            }
        }
    }

    /** The transformed weights {@code U[p][c][o]} of OIHW 3x3 weights for F(2x2, 3x3), as the kernel loads them. */
    public static float[] transformedWeights(float[] oihw, int inChannels, int outChannels) {
        return transformedWeights(oihw, inChannels, outChannels, 2);
    }

    /**
     * As above for F(outputTile x outputTile, 3x3), 2, 3 or 4: {@code U[p] = (G g G^T)[p / side][p % side]} per kernel
     * ({@code side = outputTile + 2}), in double, rounded once to f32.
     */
    public static float[] transformedWeights(float[] oihw, int inChannels, int outChannels, int outputTile) {
        double[][] g = weightTransform(outputTile);
        int positions = (outputTile + 2) * (outputTile + 2);
        float[] weights = new float[positions * inChannels * outChannels];
        double[] u = new double[positions];
        for (int o = 0; o < outChannels; o++) {
            for (int c = 0; c < inChannels; c++) {
                sandwich(g, oihw, (o * inChannels + c) * 9, u);
                for (int p = 0; p < positions; p++) {
                    weights[(p * inChannels + c) * outChannels + o] = (float) u[p];
                }
            }
        }
        return weights;
    }

    private static int roundUp(int n, int step) {
        return (n + step - 1) / step * step;
    }
}
