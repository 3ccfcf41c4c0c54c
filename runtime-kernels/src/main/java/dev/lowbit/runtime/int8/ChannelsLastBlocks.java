package dev.lowbit.runtime.int8;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * One input row of NCHW u8 levels written channels-last as centred f32, as {@link FmaWinograd} reads its input:
 * blocks of 16 channels x 16 columns are loaded as 16 vectors (one per channel), transposed in registers (four
 * rounds of two-vector lane selections) and stored as 16 pixel vectors, the row's last block shifted back to end at
 * its end; channels left over and rows shorter than 16 go one value at a time. The copy one value at a time, each
 * store into another cache line, was 2.8% of face-detection-retail INT8's time (JFR samples). Pure data movement
 * after the centring: every value is the one the scalar copy writes. Stateless, thread-safe.
 */
public final class ChannelsLastBlocks {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    private static final int L = 16;
    /**
     * Lane selections of the transpose's rounds (b = 8, 4, 2, 1): rows i and i + b (i without bit b) become
     * {@code r_i.rearrange(LOW_b, r_i+b)} and {@code r_i.rearrange(HIGH_b, r_i+b)} (indexes 16 and up select from
     * the second vector), which swaps the off-diagonal b x b blocks of every 2b x 2b block; after the four rounds
     * row j holds what column j held. (Two-vector rearranges: {@code selectFrom(v1, v2)} is JDK 24 and up.)
     */
    private static final VectorShuffle<Integer> LOW_8 = low(8), HIGH_8 = high(8), LOW_4 = low(4), HIGH_4 = high(4),
            LOW_2 = low(2), HIGH_2 = high(2), LOW_1 = low(1), HIGH_1 = high(1);

    private static VectorShuffle<Integer> low(int b) {
        int[] lanes = new int[L];
        for (int c = 0; c < L; c++) {
            lanes[c] = (c & b) == 0 ? c : L + c - b;
        }
        return VectorShuffle.fromArray(INTS, lanes, 0);
    }

    private static VectorShuffle<Integer> high(int b) {
        int[] lanes = new int[L];
        for (int c = 0; c < L; c++) {
            lanes[c] = (c & b) == 0 ? c + b : L + c;
        }
        return VectorShuffle.fromArray(INTS, lanes, 0);
    }

    private ChannelsLastBlocks() {
    }

    /**
     * {@code x[dst + ix * cp + c] = (levels[src + c * plane + ix] & 0xFF) - zeroPoint} for channels
     * {@code c < channels} and columns {@code ix < w}.
     */
    public static void row(byte[] levels, int zeroPoint, int src, int plane, int channels, int w, float[] x, int dst,
            int cp) {
        int c = 0;
        for (; c + L <= channels && w >= L; c += L) {
            // the last block shifted back to end at the row's end: its overlap is written twice, with the same values
            for (int ix = 0; ix < w; ix += L) {
                int at = Math.min(ix, w - L);
                block(levels, zeroPoint, src + c * plane + at, plane, x, dst + at * cp + c, cp);
            }
        }
        for (; c < channels; c++) {
            columns(levels, zeroPoint, src + c * plane, 0, w, x, dst + c, cp);
        }
    }

    /** Columns {@code [from, to)} of one channel, one value at a time. */
    private static void columns(byte[] levels, int zeroPoint, int src, int from, int to, float[] x, int dst, int cp) {
        for (int ix = from; ix < to; ix++) {
            x[dst + ix * cp] = (levels[src + ix] & 0xFF) - zeroPoint;
        }
    }

    /** 16 channels x 16 columns from {@code src} (channels {@code plane} apart) to 16 pixels {@code cp} apart. */
    private static void block(byte[] levels, int z, int src, int plane, float[] x, int dst, int cp) {
        IntVector r0 = ((IntVector) ByteVector.fromArray(BYTES, levels, src)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r1 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 1 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r2 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 2 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r3 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 3 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r4 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 4 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r5 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 5 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r6 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 6 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r7 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 7 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r8 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 8 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r9 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 9 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r10 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 10 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r11 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 11 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r12 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 12 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r13 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 13 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r14 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 14 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector r15 = ((IntVector) ByteVector.fromArray(BYTES, levels, src + 15 * plane)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)).sub(z);
        IntVector t;
        t = r0.rearrange(LOW_8, r8);
        r8 = r0.rearrange(HIGH_8, r8);
        r0 = t;
        t = r1.rearrange(LOW_8, r9);
        r9 = r1.rearrange(HIGH_8, r9);
        r1 = t;
        t = r2.rearrange(LOW_8, r10);
        r10 = r2.rearrange(HIGH_8, r10);
        r2 = t;
        t = r3.rearrange(LOW_8, r11);
        r11 = r3.rearrange(HIGH_8, r11);
        r3 = t;
        t = r4.rearrange(LOW_8, r12);
        r12 = r4.rearrange(HIGH_8, r12);
        r4 = t;
        t = r5.rearrange(LOW_8, r13);
        r13 = r5.rearrange(HIGH_8, r13);
        r5 = t;
        t = r6.rearrange(LOW_8, r14);
        r14 = r6.rearrange(HIGH_8, r14);
        r6 = t;
        t = r7.rearrange(LOW_8, r15);
        r15 = r7.rearrange(HIGH_8, r15);
        r7 = t;
        t = r0.rearrange(LOW_4, r4);
        r4 = r0.rearrange(HIGH_4, r4);
        r0 = t;
        t = r1.rearrange(LOW_4, r5);
        r5 = r1.rearrange(HIGH_4, r5);
        r1 = t;
        t = r2.rearrange(LOW_4, r6);
        r6 = r2.rearrange(HIGH_4, r6);
        r2 = t;
        t = r3.rearrange(LOW_4, r7);
        r7 = r3.rearrange(HIGH_4, r7);
        r3 = t;
        t = r8.rearrange(LOW_4, r12);
        r12 = r8.rearrange(HIGH_4, r12);
        r8 = t;
        t = r9.rearrange(LOW_4, r13);
        r13 = r9.rearrange(HIGH_4, r13);
        r9 = t;
        t = r10.rearrange(LOW_4, r14);
        r14 = r10.rearrange(HIGH_4, r14);
        r10 = t;
        t = r11.rearrange(LOW_4, r15);
        r15 = r11.rearrange(HIGH_4, r15);
        r11 = t;
        t = r0.rearrange(LOW_2, r2);
        r2 = r0.rearrange(HIGH_2, r2);
        r0 = t;
        t = r1.rearrange(LOW_2, r3);
        r3 = r1.rearrange(HIGH_2, r3);
        r1 = t;
        t = r4.rearrange(LOW_2, r6);
        r6 = r4.rearrange(HIGH_2, r6);
        r4 = t;
        t = r5.rearrange(LOW_2, r7);
        r7 = r5.rearrange(HIGH_2, r7);
        r5 = t;
        t = r8.rearrange(LOW_2, r10);
        r10 = r8.rearrange(HIGH_2, r10);
        r8 = t;
        t = r9.rearrange(LOW_2, r11);
        r11 = r9.rearrange(HIGH_2, r11);
        r9 = t;
        t = r12.rearrange(LOW_2, r14);
        r14 = r12.rearrange(HIGH_2, r14);
        r12 = t;
        t = r13.rearrange(LOW_2, r15);
        r15 = r13.rearrange(HIGH_2, r15);
        r13 = t;
        t = r0.rearrange(LOW_1, r1);
        r1 = r0.rearrange(HIGH_1, r1);
        r0 = t;
        t = r2.rearrange(LOW_1, r3);
        r3 = r2.rearrange(HIGH_1, r3);
        r2 = t;
        t = r4.rearrange(LOW_1, r5);
        r5 = r4.rearrange(HIGH_1, r5);
        r4 = t;
        t = r6.rearrange(LOW_1, r7);
        r7 = r6.rearrange(HIGH_1, r7);
        r6 = t;
        t = r8.rearrange(LOW_1, r9);
        r9 = r8.rearrange(HIGH_1, r9);
        r8 = t;
        t = r10.rearrange(LOW_1, r11);
        r11 = r10.rearrange(HIGH_1, r11);
        r10 = t;
        t = r12.rearrange(LOW_1, r13);
        r13 = r12.rearrange(HIGH_1, r13);
        r12 = t;
        t = r14.rearrange(LOW_1, r15);
        r15 = r14.rearrange(HIGH_1, r15);
        r14 = t;
        ((FloatVector) r0.convert(VectorOperators.I2F, 0)).intoArray(x, dst);
        ((FloatVector) r1.convert(VectorOperators.I2F, 0)).intoArray(x, dst + cp);
        ((FloatVector) r2.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 2 * cp);
        ((FloatVector) r3.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 3 * cp);
        ((FloatVector) r4.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 4 * cp);
        ((FloatVector) r5.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 5 * cp);
        ((FloatVector) r6.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 6 * cp);
        ((FloatVector) r7.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 7 * cp);
        ((FloatVector) r8.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 8 * cp);
        ((FloatVector) r9.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 9 * cp);
        ((FloatVector) r10.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 10 * cp);
        ((FloatVector) r11.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 11 * cp);
        ((FloatVector) r12.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 12 * cp);
        ((FloatVector) r13.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 13 * cp);
        ((FloatVector) r14.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 14 * cp);
        ((FloatVector) r15.convert(VectorOperators.I2F, 0)).intoArray(x, dst + 15 * cp);
    }
}
