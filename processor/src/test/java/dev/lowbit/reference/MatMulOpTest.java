package dev.lowbit.reference;

import static dev.lowbit.reference.SpatialTestNodes.attrs;
import static dev.lowbit.reference.SpatialTestNodes.f32;
import static dev.lowbit.reference.SpatialTestNodes.node;
import static dev.lowbit.reference.SpatialTestNodes.run;
import static dev.lowbit.reference.SpatialTestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

/** MatMul against hand-multiplied small integer matrices (exact, no tolerance). */
class MatMulOpTest {
    /** A = [[1,2,3],[4,5,6]]. */
    private static final double[] A = {1, 2, 3, 4, 5, 6};
    /** A transposed, stored [3, 2]. */
    private static final double[] A_T = {1, 4, 2, 5, 3, 6};
    /** B = [[1,0],[0,1],[1,1]]. */
    private static final double[] B = {1, 0, 0, 1, 1, 1};
    /** B transposed, stored [2, 3]. */
    private static final double[] B_T = {1, 0, 1, 0, 1, 1};
    /** A.B = [[1+3, 2+3], [4+6, 5+6]]. */
    private static final double[] AB = {4, 5, 10, 11};

    private static Node matmul(boolean ta, boolean tb, int... out) {
        return node("MatMul", "opset1", attrs("transpose_a", String.valueOf(ta), "transpose_b", String.valueOf(tb)),
                out);
    }

    @Test
    void multipliesMatrices() {
        assertArrayEquals(AB, run(matmul(false, false, 2, 2), f32(shape(2, 3), A), f32(shape(3, 2), B))[0]
                .toDoubleArray(), 0);
    }

    @Test
    void transposeASwapsTheLastTwoAxesOfTheFirstOperand() {
        assertArrayEquals(AB, run(matmul(true, false, 2, 2), f32(shape(3, 2), A_T), f32(shape(3, 2), B))[0]
                .toDoubleArray(), 0);
    }

    @Test
    void transposeBSwapsTheLastTwoAxesOfTheSecondOperand() {
        assertArrayEquals(AB, run(matmul(false, true, 2, 2), f32(shape(2, 3), A), f32(shape(2, 3), B_T))[0]
                .toDoubleArray(), 0);
    }

    @Test
    void bothTransposed() {
        assertArrayEquals(AB, run(matmul(true, true, 2, 2), f32(shape(3, 2), A_T), f32(shape(2, 3), B_T))[0]
                .toDoubleArray(), 0);
    }

    @Test
    void broadcastsBatchAxesNumpyStyle() {
        // a: [2, 1, 2, 3] with batch i holding (i+1)A; b: [3, 3, 2] with batch j holding (j+1)B
        double[] av = new double[12];
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 6; k++) {
                av[i * 6 + k] = (i + 1) * A[k];
            }
        }
        double[] bv = new double[18];
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < 6; k++) {
                bv[j * 6 + k] = (j + 1) * B[k];
            }
        }
        Tensor[] out = run(matmul(false, false, 2, 3, 2, 2), f32(shape(2, 1, 2, 3), av), f32(shape(3, 3, 2), bv));
        double[] expected = new double[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    expected[(i * 3 + j) * 4 + k] = (i + 1) * (j + 1) * AB[k];
                }
            }
        }
        assertArrayEquals(expected, out[0].toDoubleArray(), 0);
    }

    @Test
    void oneDimensionalOperandsAreRowAndColumnVectors() {
        Tensor v = f32(shape(3), 1, 2, 3);
        // [3] . [3] -> scalar 1 + 4 + 9
        assertArrayEquals(new double[] {14}, run(matmul(false, false), v, v)[0].toDoubleArray(), 0);
        // [3] x B[3,2] -> [1+3, 2+3]
        assertArrayEquals(new double[] {4, 5}, run(matmul(false, false, 2), v, f32(shape(3, 2), B))[0]
                .toDoubleArray(), 0);
        // A[2,3] x [3] -> [14, 32]; transpose_b is ignored for a 1-D operand
        assertArrayEquals(new double[] {14, 32}, run(matmul(false, true, 2), f32(shape(2, 3), A), v)[0]
                .toDoubleArray(), 0);
    }

    @Test
    void mismatchedInnerDimensionsNameTheLayer() {
        IrException e = assertThrows(IrException.class,
                () -> run(matmul(false, false, 2, 2), f32(shape(2, 3), A), f32(shape(2, 3), B_T)));
        assertTrue(e.getMessage().contains("type=MatMul"), e.getMessage());
        assertTrue(e.getMessage().contains("incompatible matrix dimensions"), e.getMessage());
    }

    @Test
    void nonBroadcastableBatchesAreRejected() {
        IrException e = assertThrows(IrException.class, () -> run(matmul(false, false, 3, 2, 2),
                f32(shape(2, 2, 3), new double[12]), f32(shape(3, 3, 2), new double[18])));
        assertTrue(e.getMessage().contains("do not broadcast"), e.getMessage());
    }
}
