package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.i64;
import static dev.lowbit.reference.TestNodes.iota;
import static dev.lowbit.reference.TestNodes.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

class StridedSliceOpTest {
    private static TestNodes slice(String beginMask, String endMask) {
        return op("StridedSlice").attr("begin_mask", beginMask).attr("end_mask", endMask)
                .attr("new_axis_mask", "0").attr("shrink_axis_mask", "0").attr("ellipsis_mask", "0");
    }

    @Test
    void endMaskOneTakesTheRestOfTheAxisAsInTheModels() {
        // The real models: ShapeOf [1,3,384,672] sliced with begin [2], end [?], end_mask 1 -> [384, 672].
        // end is ignored (0 would otherwise give an empty slice).
        Tensor y = slice("0", "1").out(ElementType.I64, 2).eval(i64(1, 3, 384, 672), i64(2), i64(0), i64(1));
        assertArrayEquals(new long[] {384, 672}, y.toLongArray());
    }

    @Test
    void beginMaskOneStartsAtTheBeginningOfTheAxis() {
        Tensor y = slice("1", "0").out(ElementType.I64, 2).eval(i64(1, 3, 384, 672), i64(3), i64(2), i64(1));
        assertArrayEquals(new long[] {1, 3}, y.toLongArray());
    }

    @Test
    void slicesTwoAxesWithNegativeBeginAndAStride() {
        // rows 1..2, columns -3 (= 1) to 4 step 2 -> columns 1, 3 of [[0..3],[4..7],[8..11]]
        Tensor y = slice("0,0", "0,0").out(ElementType.F32, 2, 2).eval(iota(3, 4), i64(1, -3), i64(3, 4), i64(1, 2));
        assertArrayEquals(new float[] {5, 7, 9, 11}, y.toFloatArray());
    }

    @Test
    void negativeStrideWalksBackwards() {
        assertArrayEquals(new float[] {4, 2},
                slice("0", "0").out(ElementType.F32, 2).eval(iota(5), i64(-1), i64(0), i64(-2)).toFloatArray());
        // with end_mask the slice runs through index 0
        assertArrayEquals(new float[] {4, 2, 0},
                slice("0", "1").out(ElementType.F32, 3).eval(iota(5), i64(-1), i64(0), i64(-2)).toFloatArray());
    }

    @Test
    void outOfRangeBeginAndEndClipAndStrideDefaultsToOne() {
        Tensor y = slice("0", "0").out(ElementType.F32, 3).eval(iota(5), i64(-100), i64(3));
        assertArrayEquals(new float[] {0, 1, 2}, y.toFloatArray());
        Tensor empty = slice("0", "0").out(ElementType.F32, 0).eval(iota(5), i64(4), i64(2));
        assertArrayEquals(new float[0], empty.toFloatArray());
    }

    @Test
    void shrinkAxisTakesOneIndexAndDropsTheAxis() {
        Tensor y = op("StridedSlice").attr("begin_mask", "0,1").attr("end_mask", "0,1").attr("shrink_axis_mask", "1,0")
                .out(ElementType.F32, 4).eval(iota(3, 4), i64(1, 0), i64(2, 0), i64(1, 1));
        assertArrayEquals(new float[] {4, 5, 6, 7}, y.toFloatArray());
    }

    @Test
    void newAxisInsertsADimensionOfOne() {
        Tensor y = op("StridedSlice").attr("begin_mask", "0").attr("end_mask", "0").attr("new_axis_mask", "1")
                .out(ElementType.F32, 1, 3, 4).eval(iota(3, 4), i64(0), i64(0), i64(1));
        assertArrayEquals(iota(12).toFloatArray(), y.toFloatArray());
    }

    @Test
    void ellipsisStandsForTheAxesNotNamed() {
        // [2,3,4][..., 1:3] -> [2,3,2]
        Tensor y = op("StridedSlice").attr("begin_mask", "0,0").attr("end_mask", "0,0").attr("ellipsis_mask", "1,0")
                .out(ElementType.F32, 2, 3, 2).eval(iota(2, 3, 4), i64(0, 1), i64(0, 3), i64(1, 1));
        float[] expected = new float[12];
        for (int r = 0; r < 6; r++) {
            expected[2 * r] = 4 * r + 1;
            expected[2 * r + 1] = 4 * r + 2;
        }
        assertArrayEquals(expected, y.toFloatArray());
    }

    @Test
    void masksShorterThanBeginArePaddedWithZero() {
        // begin_mask "1" covers index 0 only; index 1 uses its begin 2
        Tensor y = slice("1", "0").out(ElementType.F32, 2, 2).eval(iota(3, 4), i64(2, 2), i64(2, 4), i64(1, 1));
        assertArrayEquals(new float[] {2, 3, 6, 7}, y.toFloatArray());
    }

    @Test
    void malformedOrMissingMasksAreErrorsNamingTheLayer() {
        IrException bad = assertThrows(IrException.class,
                () -> slice("0,2", "0").out(ElementType.F32, 1).eval(iota(5), i64(0), i64(1), i64(1)));
        assertTrue(bad.getMessage().contains("begin_mask") && bad.getMessage().contains("type=StridedSlice"),
                bad.getMessage());
        assertThrows(IrException.class, () -> op("StridedSlice").attr("end_mask", "0").out(ElementType.F32, 1)
                .eval(iota(5), i64(0), i64(1), i64(1)));
    }

    @Test
    void zeroStrideAndOutOfRangeShrinkAreErrors() {
        assertThrows(IrException.class, () -> slice("0", "0").out(ElementType.F32, 1).eval(iota(5), i64(0), i64(1), i64(0)));
        assertThrows(IrException.class, () -> op("StridedSlice").attr("begin_mask", "0").attr("end_mask", "0")
                .attr("shrink_axis_mask", "1").out(ElementType.F32).eval(iota(5), i64(5), i64(6), i64(1)));
    }
}
