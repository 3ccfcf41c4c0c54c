package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.pack.DepthwiseWeightLayout;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * int8 depthwise convolution (any kernel size, stride, padding, dilation) with the requantization fused. NHWC,
 * weights in {@link DepthwiseWeightLayout}. Stateless and thread-safe; scratch per concurrent caller
 * ({@link Int8DepthwiseLayer#scratchInts()}); allocates nothing per call.
 *
 * <p>Each output channel has its own few taps, so there is no reduction across channels to pair up: a prepass
 * widens the zero-point padded input to int32 per channel, and a tile of 4 output pixels by 16 channels
 * multiplies int32 lanes directly ({@code x} in 0..255 times {@code w} in -128..127 is exact), sharing each
 * widened weight vector four times. Overflow bound as in {@link ConvGeometry#MAX_REDUCTION} (here the reduction
 * is only {@code kernelH * kernelW}).
 */
public final class Int8DepthwiseConvolution {
    private static final VectorSpecies<Byte> WEIGHT_BYTES = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final int LANES = DepthwiseWeightLayout.CHANNEL_BLOCK;
    private static final int TILE = 4;

    private Int8DepthwiseConvolution() {
    }

    public static void runQuantized(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, byte[] out, int outOff, int[] scratch) {
        if (!r.quantized) {
            throw new IllegalArgumentException("requantization writes fp32; use runFloat");
        }
        run(layer, r, in, inOff, out, null, outOff, scratch);
    }

    public static void runFloat(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, float[] out, int outOff, int[] scratch) {
        if (r.quantized) {
            throw new IllegalArgumentException("requantization writes int8; use runQuantized");
        }
        run(layer, r, in, inOff, null, out, outOff, scratch);
    }

    private static void run(Int8DepthwiseLayer layer, Requantization r, byte[] in, int inOff, byte[] outB, float[] outF, int outOff, int[] scratch) {
        ConvGeometry g = layer.geometry();
        if (r.channels() != g.outChannels()) {
            throw new IllegalArgumentException("requantization has " + r.channels() + " channels, layer " + g.outChannels());
        }
        if (scratch.length < layer.scratchInts()) {
            throw new IllegalArgumentException("scratch has " + scratch.length + " ints, layer needs " + layer.scratchInts());
        }
        fillPlane(g, layer.input(), layer.layout().paddedChannels(), in, inOff, scratch);
        int cp = layer.layout().paddedChannels();
        int ow = g.outW();
        for (int oy = 0; oy < g.outH(); oy++) {
            int ox = 0;
            for (; ox + TILE <= ow; ox += TILE) {
                int base = (oy * g.strideH() * g.paddedW() + ox * g.strideW()) * cp;
                int o = outOff + (oy * ow + ox) * g.outChannels();
                for (int c = 0; c < cp; c += LANES) {
                    tile4(layer, r, scratch, base + c, g.strideW() * cp, c, outB, outF, o + c, g.outChannels(),
                            Math.min(LANES, g.outChannels() - c));
                }
            }
            for (; ox < ow; ox++) {
                int base = (oy * g.strideH() * g.paddedW() + ox * g.strideW()) * cp;
                int o = outOff + (oy * ow + ox) * g.outChannels();
                for (int c = 0; c < cp; c += LANES) {
                    tile1(layer, r, scratch, base + c, c, outB, outF, o + c, Math.min(LANES, g.outChannels() - c));
                }
            }
        }
    }

    /** 4 pixels ({@code step} ints apart) x 16 channels starting at plane index {@code a} and channel {@code c}. */
    private static void tile4(Int8DepthwiseLayer layer, Requantization r, int[] plane, int a, int step, int c,
                              byte[] outB, float[] outF, int o, int pixelOut, int count) {
        ConvGeometry g = layer.geometry();
        int cp = layer.layout().paddedChannels();
        int tapY = g.dilationH() * g.paddedW() * cp;
        int tapX = g.dilationW() * cp;
        byte[] w = layer.packedWeights;
        IntVector acc0 = IntVector.zero(INTS), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int wo = c;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++, wo += cp) {
                IntVector wv = (IntVector) ByteVector.fromArray(WEIGHT_BYTES, w, wo).convertShape(VectorOperators.B2I, INTS, 0);
                int t = a + ky * tapY + kx * tapX;
                acc0 = acc0.add(IntVector.fromArray(INTS, plane, t).mul(wv));
                acc1 = acc1.add(IntVector.fromArray(INTS, plane, t + step).mul(wv));
                acc2 = acc2.add(IntVector.fromArray(INTS, plane, t + 2 * step).mul(wv));
                acc3 = acc3.add(IntVector.fromArray(INTS, plane, t + 3 * step).mul(wv));
            }
        }
        // through scratch: keeps vectors out of the (not always inlined) epilogue call
        IntVector comp = IntVector.fromArray(INTS, layer.compensation, c);
        int s = layer.tileScratchOffset();
        acc0.sub(comp).intoArray(plane, s);
        acc1.sub(comp).intoArray(plane, s + LANES);
        acc2.sub(comp).intoArray(plane, s + 2 * LANES);
        acc3.sub(comp).intoArray(plane, s + 3 * LANES);
        Epilogue.storeTile(plane, s, TILE, 1, r, c, outB, outF, o, pixelOut, count);
    }

    private static void tile1(Int8DepthwiseLayer layer, Requantization r, int[] plane, int a, int c,
                              byte[] outB, float[] outF, int o, int count) {
        ConvGeometry g = layer.geometry();
        int cp = layer.layout().paddedChannels();
        int tapY = g.dilationH() * g.paddedW() * cp;
        int tapX = g.dilationW() * cp;
        byte[] w = layer.packedWeights;
        IntVector acc = IntVector.zero(INTS);
        int wo = c;
        for (int ky = 0; ky < g.kernelH(); ky++) {
            for (int kx = 0; kx < g.kernelW(); kx++, wo += cp) {
                IntVector wv = (IntVector) ByteVector.fromArray(WEIGHT_BYTES, w, wo).convertShape(VectorOperators.B2I, INTS, 0);
                acc = acc.add(IntVector.fromArray(INTS, plane, a + ky * tapY + kx * tapX).mul(wv));
            }
        }
        int s = layer.tileScratchOffset();
        acc.sub(IntVector.fromArray(INTS, layer.compensation, c)).intoArray(plane, s);
        Epilogue.store(plane, s, r, c, outB, outF, o, count);
    }

    /** Zero-point padded input widened to unsigned-domain int32, channels padded with 0 to a multiple of 16. */
    private static void fillPlane(ConvGeometry g, QuantizedInput q, int cp, byte[] in, int inOff, int[] plane) {
        int z = q.unsignedZeroPoint();
        byte flip = (byte) q.toUnsignedMask();
        int channels = g.inChannels();
        int pw = g.paddedW();
        for (int py = 0; py < g.paddedH(); py++) {
            int y = py - g.padTop();
            for (int px = 0; px < pw; px++) {
                int x = px - g.padLeft();
                int dst = (py * pw + px) * cp;
                if (y < 0 || y >= g.inH() || x < 0 || x >= g.inW()) {
                    Arrays.fill(plane, dst, dst + channels, z);
                    Arrays.fill(plane, dst + channels, dst + cp, 0);
                    continue;
                }
                int src = inOff + (y * g.inW() + x) * channels;
                for (int c = 0; c < cp; c += LANES) {
                    int n = Math.min(LANES, channels - c);
                    ByteVector b = n == LANES
                            ? ByteVector.fromArray(WEIGHT_BYTES, in, src + c).lanewise(VectorOperators.XOR, flip)
                            : ByteVector.fromArray(WEIGHT_BYTES, in, src + c, WEIGHT_BYTES.indexInRange(0, n))
                                    .lanewise(VectorOperators.XOR, flip, WEIGHT_BYTES.indexInRange(0, n));
                    b.convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0).reinterpretAsInts().intoArray(plane, dst + c);
                }
            }
        }
    }
}
