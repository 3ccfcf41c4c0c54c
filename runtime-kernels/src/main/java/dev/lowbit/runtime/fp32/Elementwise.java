package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise binary ops with numpy broadcasting. Two shapes get Vector API loops (both operands full
 * size; the second operand one value per channel of an [outer][c][inner] view); everything else goes
 * through the general strided loop. Stateless, thread-safe when callers pass distinct buffers.
 */
public final class Elementwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Elementwise() {}

    /** y[i] = a[i] op b[i] for i < n. */
    public static void same(BinaryOp op, float[] a, float[] b, float[] y, int n) {
        int i = hasVectorForm(op) ? sameVectors(op, a, b, y, n) : 0;
        for (; i < n; i++) { // scalar tail (or the whole loop for ops without a vector form)
            y[i] = op.apply(a[i], b[i]);
        }
    }

    /** y[o][ch][j] = a[o][ch][j] op b[ch]: a per-channel operand (bias, scale) over an [outer][c][inner] view. */
    public static void perChannel(BinaryOp op, float[] a, float[] b, float[] y, int outer, int c, int inner) {
        boolean vector = hasVectorForm(op);
        for (int o = 0; o < outer; o++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (o * c + ch) * inner;
                float bv = b[ch];
                int j = vector ? channelVectors(op, a, bv, y, base, inner) : 0;
                for (; j < inner; j++) {
                    y[base + j] = op.apply(a[base + j], bv);
                }
            }
        }
    }

    /**
     * The general case over a shape padded to rank 6: y[i0..i5] = a[sum i*aStrides] op b[sum i*bStrides], with
     * stride 0 on the axes an operand is broadcast along. Shapes and strides are the generated class's
     * constants, so no allocation happens per call.
     */
    public static void broadcast6(BinaryOp op, float[] a, int[] aStrides, float[] b, int[] bStrides, float[] y,
            int[] shape6) {
        int yi = 0;
        for (int i0 = 0; i0 < shape6[0]; i0++) {
            for (int i1 = 0; i1 < shape6[1]; i1++) {
                for (int i2 = 0; i2 < shape6[2]; i2++) {
                    for (int i3 = 0; i3 < shape6[3]; i3++) {
                        for (int i4 = 0; i4 < shape6[4]; i4++) {
                            int ai = i0 * aStrides[0] + i1 * aStrides[1] + i2 * aStrides[2] + i3 * aStrides[3]
                                    + i4 * aStrides[4];
                            int bi = i0 * bStrides[0] + i1 * bStrides[1] + i2 * bStrides[2] + i3 * bStrides[3]
                                    + i4 * bStrides[4];
                            for (int i5 = 0; i5 < shape6[5]; i5++) {
                                y[yi++] = op.apply(a[ai + i5 * aStrides[5]], b[bi + i5 * bStrides[5]]);
                            }
                        }
                    }
                }
            }
        }
    }

    private static boolean hasVectorForm(BinaryOp op) {
        return op != BinaryOp.SQUARED_DIFFERENCE;
    }

    /*
     * The vector loops: one loop per operator, each with a constant operator ({@code lanewise(op, ...)} with an
     * operator only known at run time is not intrinsified by C2, and every vector gets boxed: measured 1.65 MB per
     * landmarks inference, 54.8 MB per face detection). No vector crosses a method boundary either: a helper that
     * took and returned vectors was inlined or not depending on the caller's compilation, and where it was not,
     * every vector was boxed (58 KB per landmarks inference after an unrelated kernel change moved the budget).
     * Each returns the first index it did not cover.
     */

    private static int sameVectors(BinaryOp op, float[] a, float[] b, float[] y, int n) {
        int l = F.length();
        int i = 0;
        switch (op) {
            case ADD -> { for (; i <= n - l; i += l) FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(y, i); }
            case SUBTRACT -> { for (; i <= n - l; i += l) FloatVector.fromArray(F, a, i).sub(FloatVector.fromArray(F, b, i)).intoArray(y, i); }
            case MULTIPLY -> { for (; i <= n - l; i += l) FloatVector.fromArray(F, a, i).mul(FloatVector.fromArray(F, b, i)).intoArray(y, i); }
            case DIVIDE -> { for (; i <= n - l; i += l) FloatVector.fromArray(F, a, i).div(FloatVector.fromArray(F, b, i)).intoArray(y, i); }
            case MAXIMUM -> { for (; i <= n - l; i += l) FloatVector.fromArray(F, a, i).max(FloatVector.fromArray(F, b, i)).intoArray(y, i); }
            case MINIMUM -> { for (; i <= n - l; i += l) FloatVector.fromArray(F, a, i).min(FloatVector.fromArray(F, b, i)).intoArray(y, i); }
            case SQUARED_DIFFERENCE -> { }
        }
        return i;
    }

    private static int channelVectors(BinaryOp op, float[] a, float bv, float[] y, int base, int n) {
        int l = F.length();
        FloatVector bb = FloatVector.broadcast(F, bv);
        int j = 0;
        switch (op) {
            case ADD -> { for (; j <= n - l; j += l) FloatVector.fromArray(F, a, base + j).add(bb).intoArray(y, base + j); }
            case SUBTRACT -> { for (; j <= n - l; j += l) FloatVector.fromArray(F, a, base + j).sub(bb).intoArray(y, base + j); }
            case MULTIPLY -> { for (; j <= n - l; j += l) FloatVector.fromArray(F, a, base + j).mul(bb).intoArray(y, base + j); }
            case DIVIDE -> { for (; j <= n - l; j += l) FloatVector.fromArray(F, a, base + j).div(bb).intoArray(y, base + j); }
            case MAXIMUM -> { for (; j <= n - l; j += l) FloatVector.fromArray(F, a, base + j).max(bb).intoArray(y, base + j); }
            case MINIMUM -> { for (; j <= n - l; j += l) FloatVector.fromArray(F, a, base + j).min(bb).intoArray(y, base + j); }
            case SQUARED_DIFFERENCE -> { }
        }
        return j;
    }
}
