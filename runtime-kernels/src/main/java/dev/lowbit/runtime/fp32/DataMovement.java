package dev.lowbit.runtime.fp32;

/**
 * Ops that only move values: Concat (one call per input), Transpose, and plain copies. Stateless,
 * thread-safe when callers pass distinct buffers.
 */
public final class DataMovement {
    private DataMovement() {}

    /**
     * Copies one Concat input: for each of {@code outer} blocks, {@code chunk} values of x go to y at
     * {@code offset} within the output block of {@code outChunk} values.
     */
    public static void concatPart(float[] x, float[] y, int outer, int chunk, int outChunk, int offset) {
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x, o * chunk, y, o * outChunk + offset, chunk);
        }
    }

    /**
     * Transpose (or any strided gather) over an output shape padded to rank 6: y in row-major order reads
     * x at sum(i_d * step6[d]), where step6[d] is the input stride of the input axis that output axis d
     * comes from. Shapes and steps are the generated class's constants: no allocation per call.
     */
    public static void gather6(float[] x, float[] y, int[] outShape6, int[] step6) {
        int yi = 0;
        for (int i0 = 0; i0 < outShape6[0]; i0++) {
            for (int i1 = 0; i1 < outShape6[1]; i1++) {
                for (int i2 = 0; i2 < outShape6[2]; i2++) {
                    for (int i3 = 0; i3 < outShape6[3]; i3++) {
                        for (int i4 = 0; i4 < outShape6[4]; i4++) {
                            int xi = i0 * step6[0] + i1 * step6[1] + i2 * step6[2] + i3 * step6[3] + i4 * step6[4];
                            for (int i5 = 0; i5 < outShape6[5]; i5++) {
                                y[yi++] = x[xi + i5 * step6[5]];
                            }
                        }
                    }
                }
            }
        }
    }

    /** y[0..n) = x[0..n). */
    public static void copy(float[] x, float[] y, int n) {
        System.arraycopy(x, 0, y, 0, n);
    }
}
