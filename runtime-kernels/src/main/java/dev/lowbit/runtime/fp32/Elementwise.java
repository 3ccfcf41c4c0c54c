package dev.lowbit.runtime.fp32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
        VectorOperators.Binary vop = vectorOp(op);
        int i = 0;
        if (vop != null) {
            for (; i <= n - F.length(); i += F.length()) {
                FloatVector.fromArray(F, a, i).lanewise(vop, FloatVector.fromArray(F, b, i)).intoArray(y, i);
            }
        }
        for (; i < n; i++) { // scalar tail (or the whole loop for ops without a vector form)
            y[i] = op.apply(a[i], b[i]);
        }
    }

    /** y[o][ch][j] = a[o][ch][j] op b[ch]: a per-channel operand (bias, scale) over an [outer][c][inner] view. */
    public static void perChannel(BinaryOp op, float[] a, float[] b, float[] y, int outer, int c, int inner) {
        VectorOperators.Binary vop = vectorOp(op);
        for (int o = 0; o < outer; o++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (o * c + ch) * inner;
                float bv = b[ch];
                int j = 0;
                if (vop != null) {
                    FloatVector bb = FloatVector.broadcast(F, bv);
                    for (; j <= inner - F.length(); j += F.length()) {
                        FloatVector.fromArray(F, a, base + j).lanewise(vop, bb).intoArray(y, base + j);
                    }
                }
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

    private static VectorOperators.Binary vectorOp(BinaryOp op) {
        return switch (op) {
            case ADD -> VectorOperators.ADD;
            case SUBTRACT -> VectorOperators.SUB;
            case MULTIPLY -> VectorOperators.MUL;
            case DIVIDE -> VectorOperators.DIV;
            case MAXIMUM -> VectorOperators.MAX;
            case MINIMUM -> VectorOperators.MIN;
            case SQUARED_DIFFERENCE -> null;
        };
    }
}
