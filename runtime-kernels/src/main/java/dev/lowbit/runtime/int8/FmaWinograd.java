package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The exact dot products of a 3x3 stride-1 int8 convolution as Winograd F(2x2, 3x3) on the f32 FMA units: 16
 * multiplications per input channel for each 2x2 block of outputs instead of 36. Layout, transforms and the
 * exactness argument: {@link WinogradLayout}. Writes the sums NCHW for {@link FmaConvolution}'s epilogue.
 *
 * <p>Four passes: (1) the centred levels into a zero-padded channels-last buffer (channels padded to 16);
 * (2) per block of tiles, the input transform, 16 channels per vector; (3) per position, the product
 * {@code M[p][tile][o] = sum_c V[p][tile][c] * U[p][c][o]}, four tiles by 64 output channels per register tile (a
 * broadcast of V against vectors of U, as in a GEMM microkernel); (4) the output transform on int32 per tile and
 * 16 output channels, scattered into the NCHW sums (one scatter per output pixel, a lane per channel plane).
 * Blocks of tiles keep V and M within about half of L2.
 *
 * <p>Where the time goes (JFR, 3x3 32 -> 128 at 38x38, 514 us per call): the products about half (at that share,
 * about 100 GMAC/s of actual FMAs, more than the direct tiles' 78), the output transform a third, the
 * channels-last copy 8%, the input transform 5%. Of the output side, writing the 740 KB of sums is the larger part:
 * storing into one 4 KB region instead (wrong results, a cost probe) took the call to 391 us, while replacing the
 * scatters by gathers through L1 into whole NCHW rows gained nothing (0.90-1.05x). The output side costs the same
 * per output channel whatever the input channels, which is why layers of fewer than 32 inputs stay direct.
 *
 * <p>Why: with no int8 dot product in the Vector API, the int8 layers run on FMA at 60-80 GMAC/s, while ONNX
 * Runtime's int8 kernels use VNNI; 2.25x fewer multiplications is the remaining lever on the 3x3 layers that
 * dominate the shared models. Immutable; {@link #run} is thread-safe with distinct buffers.
 */
final class FmaWinograd {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    private static final int LANES = 16;
    private static final int POSITIONS = WinogradLayout.POSITIONS;
    private static final int STEP = WinogradLayout.TILE_STEP;

    private final ConvGeometry g;
    private final int zeroPoint;
    /** Input channels, input channels padded to whole vectors, output channels (whole vectors already). */
    private final int ic, cp, oc;
    private final int tileColumns, tiles, blockTiles, blocks;
    /** Rows and columns of the padded channels-last input. */
    private final int rows, columns;
    private final int inputFloats, blockFloats;
    /** {@code U[p][c][o]} ({@link WinogradLayout#transformedWeights}). */
    private final float[] weights;
    /** {@code l * outH * outW} for lane l: where a vector of 16 output channels scatters into NCHW sums. */
    private final int[] planeOffsets;

    /**
     * The layer on this path, or null when {@link WinogradLayout#takes} does not admit it (one transform of the
     * weights decides, one more builds them).
     */
    static FmaWinograd forLayer(ConvGeometry g, int zeroPoint, byte[] oihw) {
        return WinogradLayout.takes(g, oihw, zeroPoint) ? new FmaWinograd(g, zeroPoint, oihw) : null;
    }

    private FmaWinograd(ConvGeometry g, int zeroPoint, byte[] oihw) {
        this.g = g;
        this.zeroPoint = zeroPoint;
        this.ic = g.inChannels();
        this.cp = WinogradLayout.paddedIn(g);
        this.oc = g.outChannels();
        this.tileColumns = WinogradLayout.tileColumns(g);
        this.tiles = WinogradLayout.tileRows(g) * tileColumns;
        this.blockTiles = WinogradLayout.blockTiles(g);
        this.blocks = (tiles + blockTiles - 1) / blockTiles;
        this.rows = WinogradLayout.inputRows(g);
        this.columns = WinogradLayout.inputColumns(g);
        this.inputFloats = WinogradLayout.inputFloats(g);
        this.blockFloats = WinogradLayout.blockFloats(g);
        this.weights = WinogradLayout.transformedWeights(g, oihw);
        this.planeOffsets = new int[LANES];
        for (int l = 0; l < LANES; l++) {
            planeOffsets[l] = l * g.outH() * g.outW();
        }
    }

    /**
     * The exact dot products of the NCHW levels at {@code in[inOff]} into {@code sums} (NCHW, from 0); scratch
     * holds {@link WinogradLayout#scratchFloats} for the workers of {@code parallel} (one when {@code split} is
     * false). Split: the channels-last copy by rows, then the blocks of tiles, each worker in its own block scratch.
     */
    void run(byte[] in, int inOff, float[] sums, float[] scratch, Parallel parallel, boolean split) {
        int workers = split ? parallel.threads() : 1;
        if (scratch.length < WinogradLayout.scratchFloats(g, workers)) {
            throw new IllegalArgumentException("Winograd scratch of " + scratch.length + " floats, need "
                    + WinogradLayout.scratchFloats(g, workers) + " for " + workers + " workers");
        }
        if (split) {
            parallel.forRange(rows, (from, to, worker) -> channelsLast(in, inOff, scratch, from, to));
            // as many equal blocks as a multiple of the threads: two threads on 81 tiles in blocks of 64 split 64 + 17
            int threads = parallel.threads();
            int count = (blocks + threads - 1) / threads * threads;
            int size = Math.min(blockTiles, ((tiles + count - 1) / count + STEP - 1) / STEP * STEP);
            parallel.forRange((tiles + size - 1) / size,
                    (from, to, worker) -> blocks(scratch, inputFloats + worker * blockFloats, sums, size, from, to));
        } else {
            channelsLast(in, inOff, scratch, 0, rows);
            blocks(scratch, inputFloats, sums, blockTiles, 0, blocks);
        }
    }

    /**
     * Rows {@code [from, to)} of the padded channels-last input {@code x[(row * columns + column) * cp + c]}: the
     * centred level {@code q - z} inside the input, 0 (the centred padding level) in the margins and padded channels.
     */
    private void channelsLast(byte[] in, int inOff, float[] x, int from, int to) {
        int h = g.inH(), w = g.inW(), top = g.padTop(), left = g.padLeft(), plane = h * w, rowFloats = columns * cp;
        for (int r = from; r < to; r++) {
            int row = r * rowFloats, iy = r - top;
            if (iy < 0 || iy >= h) {
                Arrays.fill(x, row, row + rowFloats, 0f);
                continue;
            }
            Arrays.fill(x, row, row + left * cp, 0f);
            Arrays.fill(x, row + (left + w) * cp, row + rowFloats, 0f);
            int first = row + left * cp;
            if (cp > ic) {
                for (int ix = 0; ix < w; ix++) {
                    Arrays.fill(x, first + ix * cp + ic, first + (ix + 1) * cp, 0f);
                }
            }
            for (int c = 0; c < ic; c++) {
                int src = inOff + c * plane + iy * w, dst = first + c;
                for (int ix = 0; ix < w; ix++) {
                    x[dst + ix * cp] = (in[src + ix] & 0xFF) - zeroPoint;
                }
            }
        }
    }

    /**
     * Blocks {@code [from, to)} of {@code size} tiles (a multiple of 4, at most {@link #blockTiles}, whose strides
     * the block scratch at {@code s[at ..]} keeps): V, then M. Every tile gets the same arithmetic whatever the size.
     */
    private void blocks(float[] s, int at, float[] sums, int size, int from, int to) {
        int products = at + POSITIONS * blockTiles * cp;
        for (int b = from; b < to; b++) {
            int t0 = b * size, count = Math.min(size, tiles - t0);
            int stepped = (count + STEP - 1) / STEP * STEP;
            inputTransform(s, at, t0, count, stepped);
            for (int p = 0; p < POSITIONS; p++) {
                multiply(s, at + p * blockTiles * cp, products + p * blockTiles * oc, stepped, p * ic * oc);
            }
            outputTransform(s, products, t0, count, sums);
        }
    }

    /**
     * {@code V[p][j][c] = (B^T d B)[p]} for tiles {@code t0 + j}, j < count, 16 channels per vector; tiles
     * {@code [count, stepped)} get zeros (the microkernel runs whole steps of four tiles; their products are never
     * stored).
     */
    private void inputTransform(float[] s, int v, int t0, int count, int stepped) {
        int rowStride = columns * cp, pStride = blockTiles * cp;
        for (int j = 0; j < count; j++) {
            int t = t0 + j, ty = t / tileColumns, tx = t - ty * tileColumns;
            int base = (2 * ty * columns + 2 * tx) * cp;
            int to = v + j * cp;
            for (int c = 0; c < cp; c += LANES) {
                int r0 = base + c, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
                // B^T d: per column b, (d0 - d2, d1 + d2, d2 - d1, d1 - d3) over the tile's rows
                FloatVector d0 = FloatVector.fromArray(FLOATS, s, r0), d1 = FloatVector.fromArray(FLOATS, s, r1);
                FloatVector d2 = FloatVector.fromArray(FLOATS, s, r2), d3 = FloatVector.fromArray(FLOATS, s, r3);
                FloatVector a0 = d0.sub(d2), a1 = d1.add(d2), a2 = d2.sub(d1), a3 = d1.sub(d3);
                d0 = FloatVector.fromArray(FLOATS, s, r0 + cp);
                d1 = FloatVector.fromArray(FLOATS, s, r1 + cp);
                d2 = FloatVector.fromArray(FLOATS, s, r2 + cp);
                d3 = FloatVector.fromArray(FLOATS, s, r3 + cp);
                FloatVector b0 = d0.sub(d2), b1 = d1.add(d2), b2 = d2.sub(d1), b3 = d1.sub(d3);
                d0 = FloatVector.fromArray(FLOATS, s, r0 + 2 * cp);
                d1 = FloatVector.fromArray(FLOATS, s, r1 + 2 * cp);
                d2 = FloatVector.fromArray(FLOATS, s, r2 + 2 * cp);
                d3 = FloatVector.fromArray(FLOATS, s, r3 + 2 * cp);
                FloatVector c0 = d0.sub(d2), c1 = d1.add(d2), c2 = d2.sub(d1), c3 = d1.sub(d3);
                d0 = FloatVector.fromArray(FLOATS, s, r0 + 3 * cp);
                d1 = FloatVector.fromArray(FLOATS, s, r1 + 3 * cp);
                d2 = FloatVector.fromArray(FLOATS, s, r2 + 3 * cp);
                d3 = FloatVector.fromArray(FLOATS, s, r3 + 3 * cp);
                FloatVector e0 = d0.sub(d2), e1 = d1.add(d2), e2 = d2.sub(d1), e3 = d1.sub(d3);
                // (B^T d) B: per row i, (x0 - x2, x1 + x2, x2 - x1, x1 - x3) over the columns a, b, c, e
                int o = to + c;
                a0.sub(c0).intoArray(s, o);
                b0.add(c0).intoArray(s, o + pStride);
                c0.sub(b0).intoArray(s, o + 2 * pStride);
                b0.sub(e0).intoArray(s, o + 3 * pStride);
                a1.sub(c1).intoArray(s, o + 4 * pStride);
                b1.add(c1).intoArray(s, o + 5 * pStride);
                c1.sub(b1).intoArray(s, o + 6 * pStride);
                b1.sub(e1).intoArray(s, o + 7 * pStride);
                a2.sub(c2).intoArray(s, o + 8 * pStride);
                b2.add(c2).intoArray(s, o + 9 * pStride);
                c2.sub(b2).intoArray(s, o + 10 * pStride);
                b2.sub(e2).intoArray(s, o + 11 * pStride);
                a3.sub(c3).intoArray(s, o + 12 * pStride);
                b3.add(c3).intoArray(s, o + 13 * pStride);
                c3.sub(b3).intoArray(s, o + 14 * pStride);
                b3.sub(e3).intoArray(s, o + 15 * pStride);
            }
        }
        for (int p = 0; p < POSITIONS; p++) {
            Arrays.fill(s, v + p * pStride + count * cp, v + p * pStride + stepped * cp, 0f);
        }
    }

    /**
     * One position: {@code M[j][o] = sum_c V[j][c] * U[c][o]} for tiles {@code j < stepped} (V at {@code s[v]},
     * rows of cp; M at {@code s[m]}, rows of oc; U at {@code weights[w]}, rows of oc). Output channels in blocks of
     * 64, then 32, then 16, each over all tiles, so the block's weights stay in L1 while V streams.
     */
    private void multiply(float[] s, int v, int m, int stepped, int w) {
        int o = 0;
        for (; o + 4 * LANES <= oc; o += 4 * LANES) {
            for (int j = 0; j < stepped; j += STEP) {
                tile4x4(s, v + j * cp, m + j * oc + o, w + o);
            }
        }
        for (; o + 2 * LANES <= oc; o += 2 * LANES) {
            for (int j = 0; j < stepped; j += STEP) {
                tile4x2(s, v + j * cp, m + j * oc + o, w + o);
            }
        }
        for (; o < oc; o += LANES) {
            for (int j = 0; j < stepped; j += STEP) {
                tile4x1(s, v + j * cp, m + j * oc + o, w + o);
            }
        }
    }

    /** Four tiles by 64 output channels: 16 accumulators, per channel 4 loads of U and 4 broadcasts of V. */
    private void tile4x4(float[] s, int v, int m, int w) {
        FloatVector a00 = FloatVector.zero(FLOATS), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        float[] u = weights;
        for (int c = 0; c < ic; c++) {
            int k = w + c * oc;
            FloatVector u0 = FloatVector.fromArray(FLOATS, u, k);
            FloatVector u1 = FloatVector.fromArray(FLOATS, u, k + LANES);
            FloatVector u2 = FloatVector.fromArray(FLOATS, u, k + 2 * LANES);
            FloatVector u3 = FloatVector.fromArray(FLOATS, u, k + 3 * LANES);
            FloatVector x = FloatVector.broadcast(FLOATS, s[v + c]);
            a00 = u0.fma(x, a00);
            a01 = u1.fma(x, a01);
            a02 = u2.fma(x, a02);
            a03 = u3.fma(x, a03);
            x = FloatVector.broadcast(FLOATS, s[v + cp + c]);
            a10 = u0.fma(x, a10);
            a11 = u1.fma(x, a11);
            a12 = u2.fma(x, a12);
            a13 = u3.fma(x, a13);
            x = FloatVector.broadcast(FLOATS, s[v + 2 * cp + c]);
            a20 = u0.fma(x, a20);
            a21 = u1.fma(x, a21);
            a22 = u2.fma(x, a22);
            a23 = u3.fma(x, a23);
            x = FloatVector.broadcast(FLOATS, s[v + 3 * cp + c]);
            a30 = u0.fma(x, a30);
            a31 = u1.fma(x, a31);
            a32 = u2.fma(x, a32);
            a33 = u3.fma(x, a33);
        }
        a00.intoArray(s, m);
        a01.intoArray(s, m + LANES);
        a02.intoArray(s, m + 2 * LANES);
        a03.intoArray(s, m + 3 * LANES);
        a10.intoArray(s, m + oc);
        a11.intoArray(s, m + oc + LANES);
        a12.intoArray(s, m + oc + 2 * LANES);
        a13.intoArray(s, m + oc + 3 * LANES);
        a20.intoArray(s, m + 2 * oc);
        a21.intoArray(s, m + 2 * oc + LANES);
        a22.intoArray(s, m + 2 * oc + 2 * LANES);
        a23.intoArray(s, m + 2 * oc + 3 * LANES);
        a30.intoArray(s, m + 3 * oc);
        a31.intoArray(s, m + 3 * oc + LANES);
        a32.intoArray(s, m + 3 * oc + 2 * LANES);
        a33.intoArray(s, m + 3 * oc + 3 * LANES);
    }

    /** Four tiles by 32 output channels. */
    private void tile4x2(float[] s, int v, int m, int w) {
        FloatVector a00 = FloatVector.zero(FLOATS), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        float[] u = weights;
        for (int c = 0; c < ic; c++) {
            int k = w + c * oc;
            FloatVector u0 = FloatVector.fromArray(FLOATS, u, k);
            FloatVector u1 = FloatVector.fromArray(FLOATS, u, k + LANES);
            FloatVector x = FloatVector.broadcast(FLOATS, s[v + c]);
            a00 = u0.fma(x, a00);
            a01 = u1.fma(x, a01);
            x = FloatVector.broadcast(FLOATS, s[v + cp + c]);
            a10 = u0.fma(x, a10);
            a11 = u1.fma(x, a11);
            x = FloatVector.broadcast(FLOATS, s[v + 2 * cp + c]);
            a20 = u0.fma(x, a20);
            a21 = u1.fma(x, a21);
            x = FloatVector.broadcast(FLOATS, s[v + 3 * cp + c]);
            a30 = u0.fma(x, a30);
            a31 = u1.fma(x, a31);
        }
        a00.intoArray(s, m);
        a01.intoArray(s, m + LANES);
        a10.intoArray(s, m + oc);
        a11.intoArray(s, m + oc + LANES);
        a20.intoArray(s, m + 2 * oc);
        a21.intoArray(s, m + 2 * oc + LANES);
        a30.intoArray(s, m + 3 * oc);
        a31.intoArray(s, m + 3 * oc + LANES);
    }

    /** Four tiles by 16 output channels. */
    private void tile4x1(float[] s, int v, int m, int w) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0;
        float[] u = weights;
        for (int c = 0; c < ic; c++) {
            FloatVector u0 = FloatVector.fromArray(FLOATS, u, w + c * oc);
            a0 = u0.fma(FloatVector.broadcast(FLOATS, s[v + c]), a0);
            a1 = u0.fma(FloatVector.broadcast(FLOATS, s[v + cp + c]), a1);
            a2 = u0.fma(FloatVector.broadcast(FLOATS, s[v + 2 * cp + c]), a2);
            a3 = u0.fma(FloatVector.broadcast(FLOATS, s[v + 3 * cp + c]), a3);
        }
        a0.intoArray(s, m);
        a1.intoArray(s, m + oc);
        a2.intoArray(s, m + 2 * oc);
        a3.intoArray(s, m + 3 * oc);
    }

    /**
     * {@code 4Y = A^T M A} on int32 for tiles {@code t0 + j}, j < count, 16 output channels per vector, then
     * {@code Y = 4Y >> 2} (exact: 4Y is a multiple of 4) stored NCHW as f32, outputs past the plane's last row or
     * column skipped. The vectors run across channels and the tensor is NCHW, so the four outputs {@link
     * #transformTile} leaves as f32 at {@code s[lanes ..]} go out by one 16-lane scatter per output pixel, or lane
     * by lane for a tile on the plane's last row or column.
     */
    private void outputTransform(float[] s, int m, int t0, int count, float[] sums) {
        int pStride = blockTiles * oc, oh = g.outH(), ow = g.outW(), plane = oh * ow;
        int lanes = m + POSITIONS * pStride;
        for (int j = 0; j < count; j++) {
            int t = t0 + j, ty = t / tileColumns, tx = t - ty * tileColumns;
            int oy = 2 * ty, ox = 2 * tx, pixel = oy * ow + ox;
            boolean right = ox + 1 < ow, down = oy + 1 < oh;
            for (int o = 0; o < oc; o += LANES) {
                transformTile(s, m + j * oc + o, pStride, lanes);
                int to = o * plane + pixel;
                if (right && down) {
                    // one scatter per output pixel: lane l to channel o + l's plane
                    FloatVector.fromArray(FLOATS, s, lanes).intoArray(sums, to, planeOffsets, 0);
                    FloatVector.fromArray(FLOATS, s, lanes + LANES).intoArray(sums, to + 1, planeOffsets, 0);
                    FloatVector.fromArray(FLOATS, s, lanes + 2 * LANES).intoArray(sums, to + ow, planeOffsets, 0);
                    FloatVector.fromArray(FLOATS, s, lanes + 3 * LANES).intoArray(sums, to + ow + 1, planeOffsets, 0);
                    continue;
                }
                for (int l = 0; l < LANES; l++) {
                    int at = to + l * plane;
                    sums[at] = s[lanes + l];
                    if (right) {
                        sums[at + 1] = s[lanes + LANES + l];
                    }
                    if (down) {
                        sums[at + ow] = s[lanes + 2 * LANES + l];
                        if (right) {
                            sums[at + ow + 1] = s[lanes + 3 * LANES + l];
                        }
                    }
                }
            }
        }
    }

    /**
     * One tile's {@code Y = (A^T M A) >> 2} for 16 output channels, M's positions at {@code s[at + p * pStride]},
     * written as f32 to {@code s[lanes ..]}: Y00, Y01, Y10, Y11, 16 lanes each. First per column j,
     * {@code r0 = M[0][j] + M[1][j] + M[2][j]} and {@code r1 = M[1][j] - M[2][j] - M[3][j]} (to
     * {@code s[lanes + 64 ..]} as int32 bits), then per row {@code (r_0 + r_1 + r_2, r_1 - r_2 - r_3)}. Loops, not unrolled
     * source: the 16 conversions written out exceeded C2's inlining node budget, which left them boxed
     * (864 bytes per tile and 16 channels).
     */
    private static void transformTile(float[] s, int at, int pStride, int lanes) {
        int columns = lanes + 4 * LANES;
        for (int j = 0; j < 4; j++) {
            IntVector m0 = ints(s, at + j * pStride), m1 = ints(s, at + (4 + j) * pStride);
            IntVector m2 = ints(s, at + (8 + j) * pStride), m3 = ints(s, at + (12 + j) * pStride);
            m0.add(m1).add(m2).reinterpretAsFloats().intoArray(s, columns + j * LANES);
            m1.sub(m2).sub(m3).reinterpretAsFloats().intoArray(s, columns + (4 + j) * LANES);
        }
        for (int r = 0; r < 2; r++) {
            int row = columns + 4 * r * LANES;
            IntVector r0 = bits(s, row), r1 = bits(s, row + LANES), r2 = bits(s, row + 2 * LANES), r3 = bits(s, row + 3 * LANES);
            floats(r0.add(r1).add(r2)).intoArray(s, lanes + 2 * r * LANES);
            floats(r1.sub(r2).sub(r3)).intoArray(s, lanes + (2 * r + 1) * LANES);
        }
    }

    /** 16 exact integer-valued f32 products as int32. */
    private static IntVector ints(float[] s, int at) {
        return (IntVector) FloatVector.fromArray(FLOATS, s, at).convert(VectorOperators.F2I, 0);
    }

    /** {@code 4Y >> 2} as f32. */
    private static FloatVector floats(IntVector fourY) {
        return (FloatVector) fourY.lanewise(VectorOperators.ASHR, 2).convert(VectorOperators.I2F, 0);
    }

    /** 16 int32 values stored as raw bits in the f32 scratch. */
    private static IntVector bits(float[] s, int at) {
        return FloatVector.fromArray(FLOATS, s, at).reinterpretAsInts();
    }
}
