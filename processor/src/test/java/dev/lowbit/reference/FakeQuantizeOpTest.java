package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.f32;
import static dev.lowbit.reference.TestNodes.f32s;
import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.scalarF32;
import static dev.lowbit.reference.TestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

/**
 * Expected values are hand-derived: the quantization step each input lands on is worked out in the comment,
 * the dequantized value is then written as the spec's float expression of that step. Comparisons are exact:
 * every step is one deterministic f32 operation.
 */
class FakeQuantizeOpTest {
    private static Tensor fq(int levels, Tensor x, float il, float ih, float ol, float oh) {
        return op("FakeQuantize").attr("levels", String.valueOf(levels)).out(ElementType.F32, x.shape())
                .eval(x, scalarF32(il), scalarF32(ih), scalarF32(ol), scalarF32(oh));
    }

    @Test
    void boundsAreLowInclusiveForOutputLowAndHighThroughTheFormula() {
        // levels 5 on [0, 4] -> [0, 8]: (x - 0) / 4 * 4 = x steps exactly, y = steps / 4 * 8
        Tensor y = fq(5, f32s(-1, 0, 4, 5, 1, 3), 0, 4, 0, 8);
        // -1 <= il -> ol; 0 == il -> ol; 4 == ih -> formula: 4 steps -> 8; 5 > ih -> oh; 1 -> 2; 3 -> 6
        assertArrayEquals(new float[] {0, 0, 8, 8, 2, 6}, y.toFloatArray());
    }

    @Test
    void exactHalvesRoundToEven() {
        // levels 5 on [0, 4] -> [0, 8]: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 3.5 -> 4 steps (half away from zero
        // would give 1, 2, 3, 4)
        Tensor y = fq(5, f32s(0.5f, 1.5f, 2.5f, 3.5f), 0, 4, 0, 8);
        assertArrayEquals(new float[] {0, 4, 4, 8}, y.toFloatArray());
    }

    @Test
    void levels256ActivationRangeWithExactHalvesInF32() {
        // u8 activations on [0, 2.55]: in f32, (0.025f - 0) / 2.55f * 255 is exactly 2.5 (-> 2, even) and
        // (0.035f - 0) / 2.55f * 255 exactly 3.5 (-> 4); 1.0f gives exactly 100; 2.55f == ih gives 255.
        Tensor y = fq(256, f32s(0.025f, 0.035f, 1.0f, 2.55f), 0, 2.55f, 0, 2.55f);
        assertArrayEquals(new float[] {2f / 255f * 2.55f, 4f / 255f * 2.55f, 100f / 255f * 2.55f, 2.55f},
                y.toFloatArray());
    }

    @Test
    void f32EvaluationOrderDiffersFromDoubleOnABoundary() {
        // x = 0.025f on [0, 2.55f], levels 256: f32 steps = 2.5 exactly -> rint -> 2.
        // In double, 0.025f / 2.55f * 255 = 2.50000008... -> 3: a whole quantization step apart.
        double doubleSteps = (double) 0.025f / (double) 2.55f * 255.0;
        assertEquals(3.0, Math.rint(doubleSteps), "the case must really differ in double");
        float y = fq(256, f32s(0.025f), 0, 2.55f, 0, 2.55f).toFloatArray()[0];
        assertEquals(2f / 255f * 2.55f, y, 0);
        assertNotEquals((float) (3.0 / 255.0 * 2.55f), y);
        // and the other way round: 0.015f is 1.4999999945 steps in double (-> 1) but exactly 1.5 in f32 (-> 2)
        assertEquals(1.0, Math.rint((double) 0.015f / (double) 2.55f * 255.0));
        assertEquals(2f / 255f * 2.55f, fq(256, f32s(0.015f), 0, 2.55f, 0, 2.55f).toFloatArray()[0], 0);
    }

    @Test
    void levels255SymmetricWeightGrid() {
        // encoding C of the models: u8 weights in [0, 254] -> [-s, s]; k / 254 * 254 is exactly k steps here
        Tensor y = fq(255, f32s(0, 1, 127, 254, 255), 0, 254, -1.27f, 1.27f);
        assertArrayEquals(new float[] {-1.27f, 1f / 254f * 2.54f + -1.27f, 127f / 254f * 2.54f + -1.27f,
            254f / 254f * 2.54f + -1.27f, 1.27f}, y.toFloatArray());
        assertEquals(0f, y.toFloatArray()[2], 0, "the middle of a symmetric grid is exactly 0");
    }

    @Test
    void levels16WithAnExactHalf() {
        // [-1, 1], 15 steps: (0.4f + 1) / 2 * 15 is exactly 10.5 in f32 -> 10 (even); -0.2f -> 6 steps
        Tensor y = fq(16, f32s(0.4f, -0.2f), -1, 1, -1, 1);
        assertArrayEquals(new float[] {10f / 15f * 2f + -1f, 6f / 15f * 2f + -1f}, y.toFloatArray());
    }

    @Test
    void perChannelRangesBroadcastFrom1C11() {
        // X [1,2,1,2]; channel 0 on [0,4], channel 1 on [-4,4]; both -> [0,8], levels 5
        // ch0: 1.5 -> 2 steps -> 4; 2.5 -> 2 steps -> 4.  ch1: (x + 4) / 8 * 4: -1 -> 1.5 -> 2 -> 4; 3 -> 3.5 -> 4 -> 8
        Tensor x = f32(shape(1, 2, 1, 2), 1.5f, 2.5f, -1f, 3f);
        Tensor il = f32(shape(1, 2, 1, 1), 0, -4);
        Tensor ih = f32(shape(1, 2, 1, 1), 4, 4);
        Tensor y = op("FakeQuantize").attr("levels", "5").out(ElementType.F32, 1, 2, 1, 2)
                .eval(x, il, ih, scalarF32(0), scalarF32(8));
        assertArrayEquals(new float[] {4, 4, 4, 8}, y.toFloatArray());
    }

    @Test
    void invertedRangeClipsWithMinMaxButKeepsTheFormula() {
        // il 4 > ih 0, levels 5, out [0, 8]: steps = (x - 4) / (0 - 4) * 4 = 4 - x
        // x 0 == min -> ol 0 (the formula alone would give 8); x 4 == max -> 0 steps -> 0; x 4.5 > max -> oh 8;
        // x 1 -> 3 steps -> 6; x 3 -> 1 step -> 2
        Tensor y = fq(5, f32s(0, 4, 4.5f, 1, 3), 4, 0, 0, 8);
        assertArrayEquals(new float[] {0, 0, 8, 6, 2}, y.toFloatArray());
    }

    @Test
    void equalBoundsBinarize() {
        Tensor y = fq(2, f32s(-1, 0.5f, 0.6f, 2), 0.5f, 0.5f, -3, 3);
        assertArrayEquals(new float[] {-3, -3, 3, 3}, y.toFloatArray());
    }

    @Test
    void rangesThatWouldGrowXAreAnError() {
        Tensor x = f32s(1, 2);
        IrException e = assertThrows(IrException.class, () -> op("FakeQuantize").attr("levels", "256")
                .out(ElementType.F32, 2).eval(x, f32(shape(3, 1), 0, 0, 0), scalarF32(1), scalarF32(0), scalarF32(1)));
        assertTrue(e.getMessage().contains("broadcast"), e.getMessage());
    }

    @Test
    void malformedOrTooFewLevelsAreErrorsNamingTheLayer() {
        Tensor x = f32s(1);
        IrException bad = assertThrows(IrException.class, () -> op("FakeQuantize").attr("levels", "256.0")
                .out(ElementType.F32, 1).eval(x, scalarF32(0), scalarF32(1), scalarF32(0), scalarF32(1)));
        assertEquals("test.xml: layer id=7 name='layer_under_test' type=FakeQuantize: attribute 'levels'='256.0' "
                + "is not an integer", bad.getMessage());
        assertThrows(IrException.class, () -> op("FakeQuantize").attr("levels", "1")
                .out(ElementType.F32, 1).eval(x, scalarF32(0), scalarF32(1), scalarF32(0), scalarF32(1)));
        assertThrows(IrException.class, () -> op("FakeQuantize")
                .out(ElementType.F32, 1).eval(x, scalarF32(0), scalarF32(1), scalarF32(0), scalarF32(1)));
    }
}
