package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.scalarF32;
import static dev.lowbit.reference.TestNodes.scalarI64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

class RangeOpTest {
    private static TestNodes range4(String type) {
        return op("Range").version("opset4").attr("output_type", type);
    }

    @Test
    void spatialAxesAsTheModelsBuildThem() {
        // Range(2, rank 4, 1) -> [2, 3], the ReduceMean axes
        Tensor y = range4("i64").out(ElementType.I64, 2).eval(scalarI64(2), scalarI64(4), scalarI64(1));
        assertEquals(ElementType.I64, y.type());
        assertArrayEquals(new long[] {2, 3}, y.toLongArray());
    }

    @Test
    void stepsUpAndDownAndStopsBeforeStop() {
        assertArrayEquals(new long[] {0, 2, 4},
                range4("i64").out(ElementType.I64, 3).eval(scalarI64(0), scalarI64(5), scalarI64(2)).toLongArray());
        assertArrayEquals(new long[] {5, 3, 1},
                range4("i32").out(ElementType.I32, 3).eval(scalarI64(5), scalarI64(0), scalarI64(-2)).toLongArray());
        assertArrayEquals(new long[0],
                range4("i64").out(ElementType.I64, 0).eval(scalarI64(5), scalarI64(0), scalarI64(1)).toLongArray());
    }

    @Test
    void floatValuesAreStartPlusIndexTimesStepInF32() {
        // ceil(1 / 0.3) = 4 elements; element i = 0 + (float) i * 0.3f
        Tensor y = range4("f32").out(ElementType.F32, 4).eval(scalarF32(0), scalarF32(1), scalarF32(0.3f));
        assertArrayEquals(new float[] {0f, 0.3f, 2f * 0.3f, 3f * 0.3f}, y.toFloatArray());
    }

    @Test
    void integerOutputTruncatesTheInputsFirst() {
        // trunc(0.5, 3.7, 1.2) = (0, 3, 1)
        Tensor y = range4("i64").out(ElementType.I64, 3).eval(scalarF32(0.5f), scalarF32(3.7f), scalarF32(1.2f));
        assertArrayEquals(new long[] {0, 1, 2}, y.toLongArray());
    }

    @Test
    void range1TakesItsTypeFromTheInputs() {
        Tensor y = op("Range").out(ElementType.I64, 3).eval(scalarI64(1), scalarI64(4), scalarI64(1));
        assertArrayEquals(new long[] {1, 2, 3}, y.toLongArray());
        assertThrows(IrException.class,
                () -> op("Range").out(ElementType.I64, 3).eval(scalarI64(1), scalarF32(4), scalarI64(1)));
    }

    @Test
    void zeroStepAndMissingOutputTypeAreErrors() {
        assertThrows(IrException.class,
                () -> range4("i64").out(ElementType.I64, 0).eval(scalarI64(0), scalarI64(5), scalarI64(0)));
        // 0.5 truncates to a zero step for an integer output
        assertThrows(IrException.class,
                () -> range4("i64").out(ElementType.I64, 0).eval(scalarF32(0), scalarF32(5), scalarF32(0.5f)));
        assertThrows(IrException.class, () -> op("Range").version("opset4").out(ElementType.I64, 2)
                .eval(scalarI64(2), scalarI64(4), scalarI64(1)));
    }
}
