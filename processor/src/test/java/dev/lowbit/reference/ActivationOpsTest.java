package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.f32;
import static dev.lowbit.reference.TestNodes.f32s;
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

/** ReLU, PReLU, Clamp and Sigmoid. */
class ActivationOpsTest {
    @Test
    void reluZeroesNegativesAndNegativeZero() {
        Tensor y = op("ReLU").out(ElementType.F32, 4).eval(f32s(-1f, -0f, 2.5f, 0f));
        assertEquals(0, Float.floatToRawIntBits(y.toFloatArray()[1]), "-0 becomes +0");
        assertArrayEquals(new float[] {0, 0, 2.5f, 0}, y.toFloatArray());
    }

    @Test
    void preluSlopeOfLengthCAppliesAlongAxis1NotTheLastAxis() {
        // data [1,2,2,2] = -1..-8; slope [2] matches C = 2. Per channel: channel 0 (first 4) x 0.5, channel 1 x 2.
        // (Plain numpy broadcasting would align the slope with the last axis and alternate.)
        Tensor x = f32(shape(1, 2, 2, 2), -1, -2, -3, -4, -5, -6, -7, -8);
        Tensor y = op("PReLU").out(ElementType.F32, 1, 2, 2, 2).eval(x, f32s(0.5f, 2f));
        assertArrayEquals(new float[] {-0.5f, -1, -1.5f, -2, -10, -12, -14, -16}, y.toFloatArray());
    }

    @Test
    void preluKeepsPositivesAndBroadcastsAScalarSlope() {
        Tensor x = f32(shape(1, 3, 1, 2), -2, 2, -4, 4, 0, -6);
        Tensor y = op("PReLU").out(ElementType.F32, 1, 3, 1, 2).eval(x, f32s(0.25f));
        assertArrayEquals(new float[] {-0.5f, 2, -1, 4, 0, -1.5f}, y.toFloatArray());
    }

    @Test
    void preluSlopeThatWouldGrowTheDataIsAnError() {
        assertThrows(IrException.class,
                () -> op("PReLU").out(ElementType.F32, 2).eval(f32s(1, 2), f32(shape(3, 1), 1, 2, 3)));
    }

    @Test
    void clampLimitsToMinAndMax() {
        Tensor y = op("Clamp").attr("min", "-1").attr("max", "2.5").out(ElementType.F32, 5)
                .eval(f32s(-3, -1, 0, 2.5f, 7));
        assertArrayEquals(new float[] {-1, -1, 0, 2.5f, 2.5f}, y.toFloatArray());
    }

    @Test
    void clampRoundsIntegerBoundsInward() {
        // min -1.5 rounds up to -1, max 2.5 rounds down to 2
        Tensor x = TestNodes.ints(ElementType.I32, shape(5), -5, -1, 0, 2, 9);
        Tensor y = op("Clamp").attr("min", "-1.5").attr("max", "2.5").out(ElementType.I32, 5).eval(x);
        assertArrayEquals(new long[] {-1, -1, 0, 2, 2}, y.toLongArray());
    }

    @Test
    void clampWithMinAboveMaxOrMissingMaxIsAnError() {
        assertThrows(IrException.class,
                () -> op("Clamp").attr("min", "3").attr("max", "2").out(ElementType.F32, 1).eval(f32s(1)));
        IrException e = assertThrows(IrException.class,
                () -> op("Clamp").attr("min", "3").out(ElementType.F32, 1).eval(f32s(1)));
        assertTrue(e.getMessage().contains("'max'") && e.getMessage().contains("type=Clamp"), e.getMessage());
    }

    @Test
    void sigmoidMatchesKnownValues() {
        // 1/(1+e^-x) for x = 0, 1, 2, -3 (decimal values from the closed form), rounded once to f32
        Tensor y = op("Sigmoid").out(ElementType.F32, 4).eval(f32s(0, 1, 2, -3));
        assertArrayEquals(new float[] {0.5f, (float) 0.7310585786300049, (float) 0.8807970779778823,
            (float) 0.04742587317756678}, y.toFloatArray());
    }

    @Test
    void sigmoidOfIntegersIsAnError() {
        Tensor x = TestNodes.ints(ElementType.I32, shape(1), 1);
        assertThrows(IrException.class, () -> op("Sigmoid").out(ElementType.I32, 1).eval(x));
    }
}
