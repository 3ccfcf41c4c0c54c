package dev.lowbit.runtime.int8;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One output row of {@link LevelTensors#maxPool} (NCHW u8 levels): outputs whose window lies inside the row run
 * 64 (stride 1) or 32 (stride 2) at a time, a short last step masked; the windows clipped at the borders run as the
 * scalar definition. Stride 2 takes the maximum over 64-byte loads and keeps the even lanes once at the end. Unsigned levels are compared as signed bytes after flipping the
 * top bit, as {@link Int8MaxPool} does. Why: the scalar pass cost 3-5x the NHWC kernel once the level tensors
 * around convolutions on f32 FMA stayed NCHW (landmarks' first pool 44 vs 14 us). Stateless.
 */
final class PlaneMaxPool {
    private static final VectorSpecies<Byte> WIDE = ByteVector.SPECIES_512;
    private static final VectorSpecies<Byte> HALF = ByteVector.SPECIES_256;
    private static final byte FLIP = (byte) 0x80;

    private PlaneMaxPool() {
    }

    /**
     * Outputs {@code y[at .. at + ow)} of the window rows {@code [y0, y1)} of the plane at {@code x[xp]} ({@code w}
     * columns), window {@code kw} wide, stride {@code sw}, left pad {@code pw}; windows clipped to the row.
     */
    static void row(byte[] x, int xp, int w, int y0, int y1, byte[] y, int at, int ow, int kw, int sw, int pw) {
        int ox = 0;
        if (sw <= 2) {
            int first = Math.min(ow, (pw + sw - 1) / sw);
            int interiorEnd = Math.min(ow, w - kw + pw < 0 ? 0 : (w - kw + pw) / sw + 1);
            scalar(x, xp, w, y0, y1, y, at, 0, first, kw, sw, pw);
            int step = WIDE.length() / sw;
            for (ox = first; ox < interiorEnd; ox += step) {
                // a short last step is masked: its loads stop at the last interior window's end
                int count = Math.min(step, interiorEnd - ox);
                VectorMask<Byte> in = WIDE.indexInRange(0, (count - 1) * sw + 1);
                int start = xp + ox * sw - pw;
                // lane i holds the maximum of the windows' columns start + i + kx; for stride 2 the even lanes are
                // the outputs, kept by one 16-to-8-bit truncation at the end
                ByteVector best = ByteVector.broadcast(WIDE, Byte.MIN_VALUE);
                for (int iy = y0; iy < y1; iy++) {
                    int row = start + iy * w;
                    for (int kx = 0; kx < kw; kx++) {
                        best = best.max(ByteVector.fromArray(WIDE, x, row + kx, in).lanewise(VectorOperators.XOR, FLIP));
                    }
                }
                best = best.lanewise(VectorOperators.XOR, FLIP);
                if (sw == 1) {
                    best.intoArray(y, at + ox, WIDE.indexInRange(0, count));
                } else {
                    ((ByteVector) best.reinterpretAsShorts().convertShape(VectorOperators.S2B, HALF, 0))
                            .intoArray(y, at + ox, HALF.indexInRange(0, count));
                }
            }
            ox = Math.max(first, interiorEnd);
        }
        scalar(x, xp, w, y0, y1, y, at, ox, ow, kw, sw, pw);
    }

    /** Outputs {@code [ox0, ox1)} of the row, as the definition: the largest level in the clipped window. */
    private static void scalar(byte[] x, int xp, int w, int y0, int y1, byte[] y, int at, int ox0, int ox1, int kw,
            int sw, int pw) {
        for (int ox = ox0; ox < ox1; ox++) {
            int x0 = Math.max(ox * sw - pw, 0);
            int x1 = Math.min(ox * sw - pw + kw, w);
            int m = 0;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    m = Math.max(m, x[xp + iy * w + ix] & 0xFF);
                }
            }
            y[at + ox] = (byte) m;
        }
    }
}
