package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.f32s;
import static dev.lowbit.reference.TestNodes.i64;
import static dev.lowbit.reference.TestNodes.iota;
import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

class ReduceMeanOpTest {
    // x[n][c][w] = 12n + 4c + w
    private static final Tensor X = iota(2, 3, 4);

    @Test
    void keepDimsKeepsReducedAxesAsOnes() {
        // mean over c of 12n + 4c + w = 12n + 4 + w
        Tensor y = op("ReduceMean").attr("keep_dims", "true").out(ElementType.F32, 2, 1, 4).eval(X, i64(1));
        assertArrayEquals(new int[] {2, 1, 4}, y.shape());
        assertArrayEquals(new float[] {4, 5, 6, 7, 16, 17, 18, 19}, y.toFloatArray());
    }

    @Test
    void withoutKeepDimsReducedAxesDisappear() {
        Tensor y = op("ReduceMean").attr("keep_dims", "false").out(ElementType.F32, 2, 4).eval(X, i64(1));
        assertArrayEquals(new float[] {4, 5, 6, 7, 16, 17, 18, 19}, y.toFloatArray());
        Tensor byDefault = op("ReduceMean").out(ElementType.F32, 2, 4).eval(X, i64(1));
        assertArrayEquals(y.toFloatArray(), byDefault.toFloatArray());
    }

    @Test
    void negativeAxesCountFromTheEnd() {
        // mean over n and w of 12n + 4c + w = 6 + 4c + 1.5
        Tensor y = op("ReduceMean").out(ElementType.F32, 3).eval(X, i64(-1, 0));
        assertArrayEquals(new float[] {7.5f, 11.5f, 15.5f}, y.toFloatArray());
    }

    @Test
    void spatialMeanAsInTheModels() {
        // [1,2,2,2] over axes 2,3 (the Range-made axes of the real models), keep_dims
        Tensor x = TestNodes.f32(shape(1, 2, 2, 2), 1, 2, 3, 4, -1, -1, 0.5f, 0.5f);
        Tensor y = op("ReduceMean").attr("keep_dims", "true").out(ElementType.F32, 1, 2, 1, 1).eval(x, i64(2, 3));
        assertArrayEquals(new float[] {2.5f, -0.25f}, y.toFloatArray());
    }

    @Test
    void integerMeanTruncatesTowardZero() {
        Tensor x = TestNodes.ints(ElementType.I32, shape(2, 2), 1, 2, -1, -2);
        Tensor y = op("ReduceMean").out(ElementType.I32, 2).eval(x, i64(1));
        assertArrayEquals(new long[] {1, -1}, y.toLongArray());
    }

    @Test
    void floatAxesOrOutOfRangeAxesAreAnError() {
        assertThrows(IrException.class, () -> op("ReduceMean").out(ElementType.F32, 2, 4).eval(X, f32s(1)));
        assertThrows(IrException.class, () -> op("ReduceMean").out(ElementType.F32, 2, 4).eval(X, i64(3)));
    }
}
