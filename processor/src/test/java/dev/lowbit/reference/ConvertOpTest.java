package dev.lowbit.reference;

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

class ConvertOpTest {
    @Test
    void floatToIntegerTruncatesTowardZero() {
        Tensor y = op("Convert").attr("destination_type", "i32").out(ElementType.I32, 5)
                .eval(f32s(2.7f, -2.7f, 0.5f, -0.5f, 127f));
        assertEquals(ElementType.I32, y.type());
        assertArrayEquals(new long[] {2, -2, 0, 0, 127}, y.toLongArray());
    }

    @Test
    void int8WeightsConvertExactlyToF32() {
        Tensor w = TestNodes.ints(ElementType.I8, shape(3), -128, 0, 127);
        Tensor y = op("Convert").attr("destination_type", "f32").out(ElementType.F32, 3).eval(w);
        assertArrayEquals(new float[] {-128, 0, 127}, y.toFloatArray());
    }

    @Test
    void f16DestinationIsHeldInF32() {
        // 0.1f is not an f16 value (f16 would give 0.0999755859375); the evaluator computes f16 models in f32.
        Tensor y = op("Convert").attr("destination_type", "f16").out(ElementType.F16, 1).eval(f32s(0.1f));
        assertEquals(0.1f, y.toFloatArray()[0], 0);
    }

    @Test
    void nonZeroIsTrue() {
        Tensor y = op("Convert").attr("destination_type", "boolean").out(ElementType.BOOLEAN, 3)
                .eval(f32s(0f, 0.5f, -1f));
        assertArrayEquals(new long[] {0, 1, 1}, y.toLongArray());
    }

    @Test
    void valueOutsideTheDestinationRangeIsAnError() {
        IrException e = assertThrows(IrException.class,
                () -> op("Convert").attr("destination_type", "u8").out(ElementType.U8, 1).eval(f32s(300f)));
        assertTrue(e.getMessage().contains("u8"), e.getMessage());
        assertThrows(IrException.class,
                () -> op("Convert").attr("destination_type", "i32").out(ElementType.I32, 1).eval(f32s(Float.NaN)));
    }

    @Test
    void unknownDestinationTypeIsAnErrorNamingTheLayer() {
        IrException e = assertThrows(IrException.class,
                () -> op("Convert").attr("destination_type", "q7").out(ElementType.F32, 1).eval(f32s(1f)));
        assertTrue(e.getMessage().contains("destination_type") && e.getMessage().contains("layer_under_test"),
                e.getMessage());
    }

    @Test
    void destinationTypeDisagreeingWithTheDeclaredPortIsAnError() {
        assertThrows(IrException.class,
                () -> op("Convert").attr("destination_type", "i64").out(ElementType.F32, 1).eval(f32s(1f)));
    }
}
