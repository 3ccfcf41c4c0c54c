package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.i64;
import static dev.lowbit.reference.TestNodes.iota;
import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.scalarI64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

/** Reshape, Squeeze and Unsqueeze: the values stay, the shape changes. */
class ReshapeLikeOpsTest {
    @Test
    void reshapeSpecialZeroCopiesTheInputDimensionAndInfersMinusOne() {
        Tensor y = op("Reshape").attr("special_zero", "True").out(ElementType.F32, 2, 12).eval(iota(2, 3, 4), i64(0, -1));
        assertArrayEquals(new int[] {2, 12}, y.shape());
        assertArrayEquals(iota(2, 3, 4).toFloatArray(), y.toFloatArray());
    }

    @Test
    void reshapeWithoutSpecialZeroInfersMinusOne() {
        Tensor y = op("Reshape").attr("special_zero", "false").out(ElementType.F32, 3, 4, 2).eval(iota(2, 3, 4),
                i64(3, -1, 2));
        assertArrayEquals(new int[] {3, 4, 2}, y.shape());
    }

    @Test
    void reshapeWithoutSpecialZeroTakesZeroLiterally() {
        IrException e = assertThrows(IrException.class,
                () -> op("Reshape").attr("special_zero", "false").out(ElementType.F32, 0, 24).eval(iota(2, 3, 4),
                        i64(0, 24)));
        assertTrue(e.getMessage().contains("has 0 elements"), e.getMessage());
    }

    @Test
    void reshapeRejectsTwoMinusOnesAndAMissingSpecialZero() {
        assertThrows(IrException.class, () -> op("Reshape").attr("special_zero", "true").out(ElementType.F32, 2, 12)
                .eval(iota(2, 3, 4), i64(-1, -1)));
        IrException e = assertThrows(IrException.class,
                () -> op("Reshape").out(ElementType.F32, 2, 12).eval(iota(2, 3, 4), i64(2, 12)));
        assertTrue(e.getMessage().contains("special_zero") && e.getMessage().contains("type=Reshape"), e.getMessage());
    }

    @Test
    void squeezeRemovesNamedAxesOfOneWithNegativeAxes() {
        Tensor y = op("Squeeze").out(ElementType.F32, 1, 3, 2).eval(iota(1, 3, 1, 2), i64(-2));
        assertArrayEquals(new int[] {1, 3, 2}, y.shape());
        assertArrayEquals(iota(6).toFloatArray(), y.toFloatArray());
    }

    @Test
    void squeezeWithoutAxesRemovesEveryOne() {
        assertArrayEquals(new int[] {3, 2}, op("Squeeze").out(ElementType.F32, 3, 2).eval(iota(1, 3, 1, 2)).shape());
    }

    @Test
    void squeezeOfAOneElementShapeVectorGivesAScalar() {
        // The models' Range stop: Squeeze(Gather(ShapeOf(x)) -> i64[1], axis 0) -> i64 scalar
        Tensor y = op("Squeeze").out(ElementType.I64).eval(i64(4), scalarI64(0));
        assertEquals(0, y.rank());
        assertEquals(4, y.get(0), 0);
    }

    @Test
    void squeezingADimensionThatIsNotOneIsAnError() {
        assertThrows(IrException.class, () -> op("Squeeze").out(ElementType.F32, 1, 2).eval(iota(1, 3, 1, 2), i64(1)));
    }

    @Test
    void unsqueezeInsertsOnesAtOutputAxes() {
        Tensor y = op("Unsqueeze").out(ElementType.F32, 1, 2, 3, 1).eval(iota(2, 3), i64(0, -1));
        assertArrayEquals(new int[] {1, 2, 3, 1}, y.shape());
        assertArrayEquals(iota(6).toFloatArray(), y.toFloatArray());
        // as after PriorBox: [2, N] -> [1, 2, N]
        assertArrayEquals(new int[] {1, 2, 8}, op("Unsqueeze").out(ElementType.F32, 1, 2, 8).eval(iota(2, 8), i64(0)).shape());
    }

    @Test
    void unsqueezeRejectsARepeatedAxis() {
        assertThrows(IrException.class, () -> op("Unsqueeze").out(ElementType.F32, 1, 1, 2).eval(iota(2), i64(0, -3)));
    }
}
