package dev.lowbit.reference;

import static dev.lowbit.reference.TestNodes.i64;
import static dev.lowbit.reference.TestNodes.iota;
import static dev.lowbit.reference.TestNodes.op;
import static dev.lowbit.reference.TestNodes.scalarI64;
import static dev.lowbit.reference.TestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

class GatherOpTest {
    // [[0,1],[2,3],[4,5]]
    private static final Tensor DATA = iota(3, 2);

    @Test
    void gathersRowsAlongAxis0() {
        Tensor y = op("Gather").version("opset8").out(ElementType.F32, 2, 2).eval(DATA, i64(2, 0), scalarI64(0));
        assertArrayEquals(new float[] {4, 5, 0, 1}, y.toFloatArray());
    }

    @Test
    void gather8CountsNegativeIndicesAndAxesFromTheEnd() {
        assertArrayEquals(new float[] {4, 5},
                op("Gather").version("opset8").out(ElementType.F32, 1, 2).eval(DATA, i64(-1), scalarI64(0)).toFloatArray());
        assertArrayEquals(new float[] {1, 3, 5},
                op("Gather").version("opset8").out(ElementType.F32, 3, 1).eval(DATA, i64(1), scalarI64(-1)).toFloatArray());
    }

    @Test
    void gather8FillsZerosForOutOfRangeIndices() {
        Tensor y = op("Gather").version("opset8").out(ElementType.F32, 2, 2).eval(DATA, i64(3, 1), scalarI64(0));
        assertArrayEquals(new float[] {0, 0, 2, 3}, y.toFloatArray());
    }

    @Test
    void gather1And7RejectNegativeIndices() {
        assertThrows(IrException.class,
                () -> op("Gather").version("opset7").out(ElementType.F32, 1, 2).eval(DATA, i64(-1), scalarI64(0)));
        assertThrows(IrException.class,
                () -> op("Gather").version("opset1").out(ElementType.F32, 1, 2).eval(DATA, i64(-1), scalarI64(0)));
    }

    @Test
    void batchDimsPairsTheLeadingDimensions() {
        // data [[0,1,2],[3,4,5]], indices [[0,2],[1,1]], axis 1, batch_dims 1: row b takes its own indices
        Tensor data = iota(2, 3);
        Tensor indices = TestNodes.ints(ElementType.I64, shape(2, 2), 0, 2, 1, 1);
        float[] expected = {0, 2, 4, 4};
        assertArrayEquals(expected, op("Gather").version("opset8").attr("batch_dims", "1").out(ElementType.F32, 2, 2)
                .eval(data, indices, scalarI64(1)).toFloatArray());
        // negative batch_dims counts from the indices' rank: -1 + 2 = 1
        assertArrayEquals(expected, op("Gather").version("opset7").attr("batch_dims", "-1").out(ElementType.F32, 2, 2)
                .eval(data, indices, scalarI64(1)).toFloatArray());
    }

    @Test
    void batchDimsAboveTheAxisIsAnError() {
        Tensor indices = TestNodes.ints(ElementType.I64, shape(2, 2), 0, 1, 1, 0);
        assertThrows(IrException.class, () -> op("Gather").version("opset8").attr("batch_dims", "1")
                .out(ElementType.F32, 2, 2).eval(iota(2, 3), indices, scalarI64(0)));
    }

    @Test
    void picksADimensionOutOfAShapeAsTheModelsDo() {
        // ShapeOf -> Gather(indices i64[1], axis scalar 0), batch_dims 0
        Tensor shapeOf = i64(1, 3, 384, 672);
        Tensor y = op("Gather").version("opset8").attr("batch_dims", "0").out(ElementType.I64, 1)
                .eval(shapeOf, i64(2), scalarI64(0));
        assertEquals(ElementType.I64, y.type());
        assertArrayEquals(new long[] {384}, y.toLongArray());
        Tensor scalar = op("Gather").version("opset8").out(ElementType.I64).eval(shapeOf, scalarI64(3), scalarI64(0));
        assertEquals(0, scalar.rank());
        assertEquals(672, scalar.get(0), 0);
    }
}
