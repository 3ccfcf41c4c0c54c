package dev.lowbit.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizedWeightsTest {
    @Test
    void convolutionWeightsAreWithinHalfAStepOfTheirChannelScale() {
        Random r = new Random(3);
        int[] shape = {4, 3, 3, 3};
        double[] w = new double[108];
        for (int i = 0; i < w.length; i++) {
            // channels of very different magnitudes, so one scale per channel matters
            w[i] = r.nextGaussian() * Math.pow(10, -(i / 27));
        }
        Tensor weights = Tensor.of(ElementType.F32, shape, w);
        QuantizedWeights q = QuantizedWeights.perChannel(weights, 0);
        assertEquals(ElementType.I8, q.values().type());
        assertArrayEquals(shape, q.values().shape());
        assertArrayEquals(new int[] {4, 1, 1, 1}, q.scale().shape());
        for (int c = 0; c < 4; c++) {
            double max = 0;
            int maxQ = 0;
            double s = q.scale().get(c);
            for (int i = c * 27; i < (c + 1) * 27; i++) {
                double qi = q.values().get(i);
                assertTrue(qi >= -127 && qi <= 127 && qi == Math.rint(qi), "q=" + qi);
                // Exact rounding bound plus the f32 rounding of w itself (|w| * 2^-24).
                assertTrue(Math.abs(weights.get(i) - qi * s) <= s / 2 + Math.abs(weights.get(i)) * 0x1p-23,
                        "channel " + c + " element " + i + ": w=" + weights.get(i) + " q=" + qi + " s=" + s);
                max = Math.max(max, Math.abs(weights.get(i)));
                maxQ = Math.max(maxQ, (int) Math.abs(qi));
            }
            assertEquals((float) (max / 127), s, 0.0, "scale of channel " + c + " is max|w| / 127");
            assertEquals(127, maxQ, "the largest weight of channel " + c + " uses the full i8 range");
        }
    }

    @Test
    void matMulWeightsWithoutTransposeHaveOneScalePerColumn() {
        // [K=2, N=3]: output channels are columns.
        Tensor w = Tensor.of(ElementType.F32, new int[] {2, 3}, new double[] {1.27, -0.5, 0, -2.54, 0.25, 0});
        QuantizedWeights q = QuantizedWeights.perChannel(w, 1);
        assertArrayEquals(new int[] {1, 3}, q.scale().shape());
        assertEquals((float) (2.54 / 127), q.scale().get(0), 0.0);
        assertEquals((float) (0.5 / 127), q.scale().get(1), 0.0);
        assertEquals(1.0, q.scale().get(2), 0.0, "an all-zero channel gets scale 1");
        assertArrayEquals(new double[] {64, -127, 0, -127, 64, 0}, q.values().toDoubleArray());
    }
}
