package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.Parallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling on quantized NHWC data (u8 or i8): max commutes with the monotonic quantization, so it runs on
 * the stored bytes with no rescaling. Stateless and thread-safe, no scratch, no allocation.
 *
 * <p>Vectorized over 64 channels; u8 is compared as signed after flipping the top bit (XOR 0x80 maps unsigned
 * order onto signed order) and flipped back on store.
 */
public final class Int8MaxPool {
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_512;
    // the loads' exact class: the calls on a load then bind without the Vector API's shared type profiles
    // (docs/int8-kernels.md, "Byte and short loads that receive a call are cast too")
    private static final Class<? extends Vector<Byte>> BYTES_TYPE = BYTES.vectorType();

    private Int8MaxPool() {
    }

    /** Pools one NHWC image at {@code inOff} into {@code out} at {@code outOff}. */
    public static void run(PoolGeometry g, boolean signed, byte[] in, int inOff, byte[] out, int outOff) {
        run(g, signed, in, inOff, out, outOff, null);
    }

    /**
     * As {@link #run(PoolGeometry, boolean, byte[], int, byte[], int)}, split by output rows over {@code parallel}
     * when the pass is large enough (null: the caller's thread); each row is computed alone, so bit-identical.
     */
    public static void run(PoolGeometry g, boolean signed, byte[] in, int inOff, byte[] out, int outOff, Parallel parallel) {
        Bounds.check(in, inOff, g.inputLength(), out.length, outOff, g.outputLength());
        // a byte compared per tap costs about what 32 int8 multiply-accumulates do (as LevelTensors' passes)
        long work = 32L * g.outputLength() * g.kernelH() * g.kernelW();
        if (parallel != null && parallel.worthSplitting(work)) {
            parallel.forRange(g.outH(), (from, to, w) -> rows(g, signed, in, inOff, out, outOff, from, to));
        } else {
            rows(g, signed, in, inOff, out, outOff, 0, g.outH());
        }
    }

    /** Output rows {@code [oy0, oy1)}. */
    private static void rows(PoolGeometry g, boolean signed, byte[] in, int inOff, byte[] out, int outOff, int oy0, int oy1) {
        byte flip = signed ? 0 : (byte) 0x80;
        int c = g.channels();
        for (int oy = oy0; oy < oy1; oy++) {
            int y0 = oy * g.strideH() - g.padTop();
            int kyFrom = firstTap(y0, g.dilationH());
            int kyTo = lastTap(y0, g.dilationH(), g.kernelH(), g.inH());
            for (int ox = 0; ox < g.outW(); ox++) {
                int x0 = ox * g.strideW() - g.padLeft();
                int kxFrom = firstTap(x0, g.dilationW());
                int kxTo = lastTap(x0, g.dilationW(), g.kernelW(), g.inW());
                int o = outOff + (oy * g.outW() + ox) * c;
                for (int ch = 0; ch < c; ch += BYTES.length()) {
                    VectorMask<Byte> m = BYTES.indexInRange(ch, c);
                    ByteVector best = ByteVector.broadcast(BYTES, Byte.MIN_VALUE);
                    for (int ky = kyFrom; ky < kyTo; ky++) {
                        int row = (y0 + ky * g.dilationH()) * g.inW();
                        for (int kx = kxFrom; kx < kxTo; kx++) {
                            int at = inOff + (row + x0 + kx * g.dilationW()) * c + ch;
                            // the fresh vector is the receiver: C2 binds max statically, not through the loop
                            // phi's type profile (docs/int8-kernels.md, "Accumulators take the fresh vector")
                            ByteVector loaded = (ByteVector) BYTES_TYPE.cast(ByteVector.fromArray(BYTES, in, at, m));
                            best = loaded.lanewise(VectorOperators.XOR, flip).max(best);
                        }
                    }
                    best.lanewise(VectorOperators.XOR, flip).intoArray(out, o + ch, m);
                }
            }
        }
    }

    /** First tap index whose position {@code start + k * dilation} is >= 0. */
    private static int firstTap(int start, int dilation) {
        return start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    }

    /** One past the last tap whose position is < size. */
    private static int lastTap(int start, int dilation, int kernel, int size) {
        int k = kernel;
        while (k > 0 && start + (k - 1) * dilation >= size) {
            k--;
        }
        return k;
    }
}
