package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.f32;
import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

class SoftMaxOpTest {
    private static final Tensor X = f32(shape(2, 3), 1, 2, 3, 0, 0, 0);

    // softmax([1,2,3]) from the closed form e^k / (e + e^2 + e^3)
    private static final double[] ROW = {0.09003057317038046, 0.24472847105479767, 0.6652409557748219};

    @Test
    void softmaxAlongAxis1NormalizesEachRow() {
        Tensor y = op("SoftMax").attr("axis", "1").out(ElementType.F32, 2, 3).eval(X);
        assertValues(new double[] {ROW[0], ROW[1], ROW[2], 1 / 3.0, 1 / 3.0, 1 / 3.0}, y);
    }

    @Test
    void softmax8TakesNegativeAxes() {
        Tensor last = op("SoftMax").version("opset8").attr("axis", "-1").out(ElementType.F32, 2, 3).eval(X);
        assertValues(new double[] {ROW[0], ROW[1], ROW[2], 1 / 3.0, 1 / 3.0, 1 / 3.0}, last);
        // axis -2 = axis 0: each column [x, 0] gives [sigmoid(x), 1 - sigmoid(x)]
        Tensor first = op("SoftMax").version("opset8").attr("axis", "-2").out(ElementType.F32, 2, 3).eval(X);
        double s1 = 0.7310585786300049;
        double s2 = 0.8807970779778823;
        double s3 = 0.9525741268224334;
        assertValues(new double[] {s1, s2, s3, 1 - s1, 1 - s2, 1 - s3}, first);
    }

    @Test
    void softmax1RejectsNegativeAndOutOfRangeAxes() {
        assertThrows(IrException.class, () -> op("SoftMax").attr("axis", "-1").out(ElementType.F32, 2, 3).eval(X));
        assertThrows(IrException.class,
                () -> op("SoftMax").version("opset8").attr("axis", "2").out(ElementType.F32, 2, 3).eval(X));
    }

    @Test
    void malformedAxisIsAnErrorNamingTheLayer() {
        IrException e = assertThrows(IrException.class,
                () -> op("SoftMax").attr("axis", "one").out(ElementType.F32, 2, 3).eval(X));
        assertEquals("test.xml: layer id=7 name='layer_under_test' type=SoftMax: attribute 'axis'='one' is not an integer",
                e.getMessage());
    }

    /** Within one f32 ulp: the reference sums exponentials in its own order, any order is within that. */
    private static void assertValues(double[] expected, Tensor y) {
        float[] v = y.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], v[i], Math.ulp((float) expected[i]), "element " + i);
        }
    }
}
