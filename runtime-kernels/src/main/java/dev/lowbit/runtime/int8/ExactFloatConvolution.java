package dev.lowbit.runtime.int8;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The same int8 convolution as {@link Int8Convolution} (bit-identical results), with the exact integer dot
 * product carried in f32 FMAs instead of emulated 16-bit multiplies. Stateless and thread-safe; each concurrent
 * caller passes its own scratch; allocates nothing per call.
 *
 * <p>Why it is exact: activations are centred, {@code x - 128} in -128..127, weights are -128..127, so every
 * product is an integer of magnitude at most 2^14 and every partial sum of at most
 * {@link ExactFloatConvLayer#EXACT_TERMS} = 1024 products is an integer of magnitude at most 2^24, which f32
 * represents exactly: an FMA adding such a product to such a sum does not round. The kernel moves its f32
 * accumulators to int32 after every chunk of at most 1024 terms per output. The centring costs only the
 * build-time constant {@code (z_x - 128) * sum(w[oc])}.
 *
 * <p>Why it exists: without a dot-product instruction in the Vector API the int16 emulation needs about four
 * integer ops per 32 MACs, while an FMA does 16 MACs in one op on two ports; for compute-bound layers this path
 * runs at fp32 speed while the tensors between layers stay int8. It needs f32 weights and an f32 input plane
 * (4 bytes per activation of the layer's input). Same layouts and geometry as {@link Int8Convolution}.
 */
public final class ExactFloatConvolution {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final int LANES = 16;
    private static final int TILE = 4;
    /** Ints of {@code tileScratch} the kernels need. */
    public static final int TILE_INTS = TILE * 2 * LANES;

    private ExactFloatConvolution() {
    }

    public static void runQuantized(ExactFloatConvLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff,
                                    float[] planeScratch, int[] tileScratch) {
        if (!r.quantized) {
            throw new IllegalArgumentException("requantization writes fp32; use runFloat");
        }
        run(layer, r, in, inOff, out, null, outOff, planeScratch, tileScratch);
    }

    public static void runFloat(ExactFloatConvLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff,
                                float[] planeScratch, int[] tileScratch) {
        if (r.quantized) {
            throw new IllegalArgumentException("requantization writes int8; use runQuantized");
        }
        run(layer, r, in, inOff, null, out, outOff, planeScratch, tileScratch);
    }

    private static void run(ExactFloatConvLayer layer, Requantization r, byte[] in, int inOff, byte[] outB, float[] outF, int outOff,
                            float[] plane, int[] tile) {
        ConvGeometry g = layer.geometry();
        if (r.channels() != g.outChannels()) {
            throw new IllegalArgumentException("requantization has " + r.channels() + " channels, layer " + g.outChannels());
        }
        if (plane.length < layer.planeFloats() || tile.length < TILE_INTS) {
            throw new IllegalArgumentException("scratch: plane needs " + layer.planeFloats() + " floats (has " + plane.length
                    + "), tile " + TILE_INTS + " ints (has " + tile.length + ")");
        }
        Bounds.check(in, inOff, g.inputLength(), outB != null ? outB.length : outF.length, outOff, g.outputLength());
        fillPlane(g, layer.input(), in, inOff, plane);
        int opg = g.outPerGroup();
        int ow = g.outW();
        int pixelIn = g.inChannels();
        for (int grp = 0; grp < g.groups(); grp++) {
            for (int oy = 0; oy < g.outH(); oy++) {
                int rowBase = oy * g.strideH() * g.paddedW();
                for (int ox = 0; ox < ow; ) {
                    int base = (rowBase + ox * g.strideW()) * pixelIn + grp * g.inPerGroup();
                    int o = outOff + (oy * ow + ox) * g.outChannels() + grp * opg;
                    if (ox + TILE <= ow) {
                        int b = 0;
                        for (; b + 2 <= layer.blocks; b += 2) {
                            tile4x2(layer, r, grp, b, plane, base, tile, outB, outF, o + b * LANES, Math.min(LANES, opg - (b + 1) * LANES));
                        }
                        for (; b < layer.blocks; b++) {
                            for (int j = 0; j < TILE; j++) {
                                block1(layer, r, grp, b, plane, base + j * g.strideW() * pixelIn, tile, outB, outF,
                                        o + j * g.outChannels() + b * LANES, Math.min(LANES, opg - b * LANES));
                            }
                        }
                        ox += TILE;
                    } else {
                        for (int b = 0; b < layer.blocks; b++) {
                            block1(layer, r, grp, b, plane, base, tile, outB, outF, o + b * LANES, Math.min(LANES, opg - b * LANES));
                        }
                        ox++;
                    }
                }
            }
        }
    }

    /** 4 pixels x 32 channels (blocks b, b+1); {@code count1} valid lanes in the second block. */
    private static void tile4x2(ExactFloatConvLayer layer, Requantization r, int grp, int b, float[] plane, int base, int[] tile,
                                byte[] outB, float[] outF, int o, int count1) {
        ConvGeometry g = layer.geometry();
        float[] w = layer.weights;
        int ipg = g.inPerGroup();
        int kw = g.kernelW();
        int taps = g.kernelH() * kw;
        int blockFloats = taps * ipg * LANES;
        int wBlock = (grp * layer.blocks + b) * blockFloats;
        int tapY = g.dilationH() * g.paddedW() * g.inChannels();
        int tapX = g.dilationW() * g.inChannels();
        int step = g.strideW() * g.inChannels();
        Arrays.fill(tile, 0, TILE_INTS, 0);
        for (int t0 = 0; t0 < taps; t0 += layer.tapsPerChunk) {
            FloatVector a00 = FloatVector.zero(FLOATS), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            int tEnd = Math.min(taps, t0 + layer.tapsPerChunk);
            for (int t = t0; t < tEnd; t++) {
                int a = base + (t / kw) * tapY + (t % kw) * tapX;
                int wo = wBlock + t * ipg * LANES;
                for (int c = 0; c < ipg; c++, wo += LANES) {
                    FloatVector w0 = FloatVector.fromArray(FLOATS, w, wo);
                    FloatVector w1 = FloatVector.fromArray(FLOATS, w, wo + blockFloats);
                    FloatVector x = FloatVector.broadcast(FLOATS, plane[a + c]);
                    a00 = x.fma(w0, a00);
                    a01 = x.fma(w1, a01);
                    x = FloatVector.broadcast(FLOATS, plane[a + step + c]);
                    a10 = x.fma(w0, a10);
                    a11 = x.fma(w1, a11);
                    x = FloatVector.broadcast(FLOATS, plane[a + 2 * step + c]);
                    a20 = x.fma(w0, a20);
                    a21 = x.fma(w1, a21);
                    x = FloatVector.broadcast(FLOATS, plane[a + 3 * step + c]);
                    a30 = x.fma(w0, a30);
                    a31 = x.fma(w1, a31);
                }
            }
            // exact integers below 2^24: the conversion does not round; int32 holds the running total
            ((IntVector) a00.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, 0)).intoArray(tile, 0);
            ((IntVector) a01.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, LANES)).intoArray(tile, LANES);
            ((IntVector) a10.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, 2 * LANES)).intoArray(tile, 2 * LANES);
            ((IntVector) a11.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, 3 * LANES)).intoArray(tile, 3 * LANES);
            ((IntVector) a20.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, 4 * LANES)).intoArray(tile, 4 * LANES);
            ((IntVector) a21.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, 5 * LANES)).intoArray(tile, 5 * LANES);
            ((IntVector) a30.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, 6 * LANES)).intoArray(tile, 6 * LANES);
            ((IntVector) a31.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(INTS, tile, 7 * LANES)).intoArray(tile, 7 * LANES);
        }
        int oc = grp * g.outPerGroup() + b * LANES;
        subtractCompensation(layer, tile, oc, 2);
        Epilogue.storeTile(tile, 0, TILE, 2, r, oc, outB, outF, o, g.outChannels(), count1);
    }

    /** 1 pixel x 16 channels of block {@code b}: tails. */
    private static void block1(ExactFloatConvLayer layer, Requantization r, int grp, int b, float[] plane, int base, int[] tile,
                               byte[] outB, float[] outF, int o, int count) {
        ConvGeometry g = layer.geometry();
        float[] w = layer.weights;
        int ipg = g.inPerGroup();
        int kw = g.kernelW();
        int taps = g.kernelH() * kw;
        int wBlock = (grp * layer.blocks + b) * taps * ipg * LANES;
        int tapY = g.dilationH() * g.paddedW() * g.inChannels();
        int tapX = g.dilationW() * g.inChannels();
        IntVector total = IntVector.zero(INTS);
        for (int t0 = 0; t0 < taps; t0 += layer.tapsPerChunk) {
            FloatVector acc = FloatVector.zero(FLOATS);
            int tEnd = Math.min(taps, t0 + layer.tapsPerChunk);
            for (int t = t0; t < tEnd; t++) {
                int a = base + (t / kw) * tapY + (t % kw) * tapX;
                int wo = wBlock + t * ipg * LANES;
                for (int c = 0; c < ipg; c++, wo += LANES) {
                    acc = FloatVector.broadcast(FLOATS, plane[a + c]).fma(FloatVector.fromArray(FLOATS, w, wo), acc);
                }
            }
            total = total.add((IntVector) acc.convert(VectorOperators.F2I, 0));
        }
        int oc = grp * g.outPerGroup() + b * LANES;
        total.sub(IntVector.fromArray(INTS, layer.compensation, oc)).intoArray(tile, 0);
        Epilogue.store(tile, 0, r, oc, outB, outF, o, count);
    }

    private static void subtractCompensation(ExactFloatConvLayer layer, int[] tile, int oc, int blocks) {
        for (int b = 0; b < blocks; b++) {
            IntVector comp = IntVector.fromArray(INTS, layer.compensation, oc + b * LANES);
            for (int j = 0; j < TILE; j++) {
                int at = (j * blocks + b) * LANES;
                IntVector.fromArray(INTS, tile, at).sub(comp).intoArray(tile, at);
            }
        }
    }

    /** The input as centred f32 {@code x - 128} (in the unsigned domain), padded with {@code z - 128}. */
    private static void fillPlane(ConvGeometry g, QuantizedInput q, byte[] in, int inOff, float[] plane) {
        int c = g.inChannels();
        int pw = g.paddedW();
        // u8: (byte) (b ^ 0x80) read as signed is b - 128; i8: b itself is (b + 128) - 128
        byte flip = (byte) (q.signed() ? 0 : 0x80);
        float pad = q.unsignedZeroPoint() - 128;
        for (int py = 0; py < g.paddedH(); py++) {
            int y = py - g.padTop();
            int row = py * pw * c;
            if (y < 0 || y >= g.inH()) {
                Arrays.fill(plane, row, row + pw * c, pad);
                continue;
            }
            Arrays.fill(plane, row, row + g.padLeft() * c, pad);
            Arrays.fill(plane, row + (g.padLeft() + g.inW()) * c, row + pw * c, pad);
            int src = inOff + y * g.inW() * c;
            int dst = row + g.padLeft() * c;
            int n = g.inW() * c;
            int i = 0;
            for (; i + LANES <= n; i += LANES) {
                ByteVector.fromArray(BYTES, in, src + i).lanewise(VectorOperators.XOR, flip)
                        .convertShape(VectorOperators.B2F, FLOATS, 0).reinterpretAsFloats().intoArray(plane, dst + i);
            }
            for (; i < n; i++) {
                plane[dst + i] = (byte) (in[src + i] ^ flip);
            }
        }
    }
}
