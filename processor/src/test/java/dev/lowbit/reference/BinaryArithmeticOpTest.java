package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.f32;
import static dev.lowbit.reference.TestNodes.i64;
import static dev.lowbit.reference.TestNodes.iota;
import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.scalarF32;
import static dev.lowbit.reference.TestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

class BinaryArithmeticOpTest {
    @Test
    void addBroadcastsA3x1AcrossTheLastAxisOf2x3x4() {
        Tensor a = iota(2, 3, 4); // a[n][c][w] = 12n + 4c + w
        Tensor b = f32(shape(3, 1), 100, 200, 300); // b[c][0] = 100 (c + 1)
        Tensor y = op("Add").out(ElementType.F32, 2, 3, 4).eval(a, b);
        assertArrayEquals(new int[] {2, 3, 4}, y.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int w = 0; w < 4; w++) {
                    assertEquals(12 * n + 4 * c + w + 100 * (c + 1), y.get(12 * n + 4 * c + w), 0);
                }
            }
        }
        assertEquals(100, y.get(0), 0);
        assertEquals(205, y.get(5), 0); // n0 c1 w1
        assertEquals(323, y.get(23), 0); // n1 c2 w3
    }

    @Test
    void multiplyByAScalarScalesEveryElement() {
        Tensor y = op("Multiply").out(ElementType.F32, 2, 2).eval(f32(shape(2, 2), 1, -2, 3, 4), scalarF32(0.5f));
        assertArrayEquals(new float[] {0.5f, -1, 1.5f, 2}, y.toFloatArray());
    }

    @Test
    void subtractBroadcastsBothOperands() {
        // [2,1] - [1,3] -> [2,3]: y[i][j] = a[i] - b[j]
        Tensor y = op("Subtract").out(ElementType.F32, 2, 3).eval(f32(shape(2, 1), 10, 20), f32(shape(1, 3), 1, 2, 3));
        assertArrayEquals(new float[] {9, 8, 7, 19, 18, 17}, y.toFloatArray());
    }

    @Test
    void floatResultsAreRoundedToF32() {
        // 2^24 + 1 is exact in double but not in f32, where it rounds (half to even) back to 2^24.
        Tensor y = op("Add").out(ElementType.F32, 1).eval(f32(shape(1), 16777216f), f32(shape(1), 1f));
        assertEquals(16777216.0, y.get(0), 0);
    }

    @Test
    void floatDivisionByZeroIsInfinite() {
        Tensor y = op("Divide").out(ElementType.F32, 2).eval(f32(shape(2), 1, -1), f32(shape(2), 0, 0));
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, y.toFloatArray());
    }

    @Test
    void integerDivideFloorsWithPythonDivAndTruncatesWithout() {
        Tensor a = i64(-7, 7);
        Tensor b = i64(2, 2);
        assertArrayEquals(new long[] {-4, 3}, op("Divide").out(ElementType.I64, 2).eval(a, b).toLongArray());
        assertArrayEquals(new long[] {-3, 3},
                op("Divide").attr("m_pythondiv", "false").out(ElementType.I64, 2).eval(a, b).toLongArray());
    }

    @Test
    void integerDivisionByZeroIsAnError() {
        IrException e = assertThrows(IrException.class,
                () -> op("Divide").out(ElementType.I64, 1).eval(i64(1), i64(0)));
        assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
    }

    @Test
    void integerOverflowOfTheOutputTypeIsAnError() {
        Tensor a = TestNodes.ints(ElementType.I32, shape(1), Integer.MAX_VALUE);
        Tensor b = TestNodes.ints(ElementType.I32, shape(1), 1);
        assertThrows(IrException.class, () -> op("Add").out(ElementType.I32, 1).eval(a, b));
    }

    @Test
    void incompatibleShapesAreAnErrorNamingTheLayer() {
        IrException e = assertThrows(IrException.class,
                () -> op("Add").out(ElementType.F32, 2, 3).eval(iota(2, 3), iota(4)));
        assertTrue(e.getMessage().contains("layer_under_test") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void autoBroadcastNoneNeedsEqualShapes() {
        Tensor y = op("Add").attr("auto_broadcast", "none").out(ElementType.F32, 2).eval(iota(2), iota(2));
        assertArrayEquals(new float[] {0, 2}, y.toFloatArray());
        assertThrows(IrException.class,
                () -> op("Add").attr("auto_broadcast", "none").out(ElementType.F32, 2).eval(iota(2), iota(1)));
    }

    @Test
    void unknownAutoBroadcastIsAnError() {
        IrException e = assertThrows(IrException.class,
                () -> op("Add").attr("auto_broadcast", "numpyy").out(ElementType.F32, 2).eval(iota(2), iota(2)));
        assertTrue(e.getMessage().contains("auto_broadcast") && e.getMessage().contains("layer_under_test"),
                e.getMessage());
    }
}
