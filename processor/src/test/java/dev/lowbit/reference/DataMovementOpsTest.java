package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.f32;
import static dev.lowbit.reference.TestNodes.i64;
import static dev.lowbit.reference.TestNodes.iota;
import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

/** Transpose, Concat and ShapeOf. */
class DataMovementOpsTest {
    @Test
    void transposeSwapsTwoAxes() {
        // [[0,1,2],[3,4,5]] transposed
        Tensor y = op("Transpose").out(ElementType.F32, 3, 2).eval(iota(2, 3), i64(1, 0));
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, y.toFloatArray());
    }

    @Test
    void transposeNchwToNhwcAsTheDetectionHeadsDo() {
        // in[0][c][h][w] = 6c + 3h + w, out[0][h][w][c] must hold the same
        Tensor y = op("Transpose").out(ElementType.F32, 1, 2, 3, 2).eval(iota(1, 2, 2, 3), i64(0, 2, 3, 1));
        for (int h = 0; h < 2; h++) {
            for (int w = 0; w < 3; w++) {
                for (int c = 0; c < 2; c++) {
                    assertEquals(6 * c + 3 * h + w, y.get((h * 3 + w) * 2 + c), 0);
                }
            }
        }
    }

    @Test
    void transposeWithEmptyOrderReversesTheAxes() {
        Tensor y = op("Transpose").out(ElementType.F32, 3, 2).eval(iota(2, 3), i64());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, y.toFloatArray());
    }

    @Test
    void transposeRejectsAnOrderThatIsNotAPermutation() {
        assertThrows(IrException.class, () -> op("Transpose").out(ElementType.F32, 2, 2).eval(iota(2, 3), i64(0, 0)));
    }

    @Test
    void concatJoinsAlongAnAxisAndTakesNegativeAxes() {
        Tensor a = iota(1, 2, 2);
        Tensor b = f32(shape(1, 1, 2), 100, 101);
        Tensor y = op("Concat").attr("axis", "1").out(ElementType.F32, 1, 3, 2).eval(a, b);
        assertArrayEquals(new float[] {0, 1, 2, 3, 100, 101}, y.toFloatArray());
        Tensor z = op("Concat").attr("axis", "-1").out(ElementType.F32, 1, 2, 3).eval(iota(1, 2, 2), f32(shape(1, 2, 1), 100, 101));
        assertArrayEquals(new float[] {0, 1, 100, 2, 3, 101}, z.toFloatArray());
    }

    @Test
    void concatOfShapeVectorsKeepsI64() {
        Tensor y = op("Concat").attr("axis", "0").out(ElementType.I64, 3).eval(i64(1), i64(-1), i64(7));
        assertEquals(ElementType.I64, y.type());
        assertArrayEquals(new long[] {1, -1, 7}, y.toLongArray());
    }

    @Test
    void concatRejectsMismatchedDimensionsAndAMissingAxis() {
        assertThrows(IrException.class,
                () -> op("Concat").attr("axis", "1").out(ElementType.F32, 1, 4, 2).eval(iota(1, 2, 2), iota(2, 2, 2)));
        IrException e = assertThrows(IrException.class,
                () -> op("Concat").out(ElementType.F32, 1, 4, 2).eval(iota(1, 2, 2), iota(1, 2, 2)));
        assertTrue(e.getMessage().contains("missing attribute 'axis'"), e.getMessage());
    }

    @Test
    void shapeOfGivesTheDimensionsInTheRequestedType() {
        Tensor x = iota(1, 3, 2, 4);
        Tensor y3 = op("ShapeOf").version("opset3").attr("output_type", "i32").out(ElementType.I32, 4).eval(x);
        assertEquals(ElementType.I32, y3.type());
        assertArrayEquals(new long[] {1, 3, 2, 4}, y3.toLongArray());
        Tensor y1 = op("ShapeOf").out(ElementType.I64, 4).eval(x);
        assertEquals(ElementType.I64, y1.type());
        assertArrayEquals(new long[] {1, 3, 2, 4}, y1.toLongArray());
    }

    @Test
    void shapeOfRejectsAFloatOutputType() {
        assertThrows(IrException.class,
                () -> op("ShapeOf").version("opset3").attr("output_type", "f32").out(ElementType.F32, 2).eval(iota(2, 2)));
    }
}
