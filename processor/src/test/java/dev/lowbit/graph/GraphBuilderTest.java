package dev.lowbit.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.ir.ElementType;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
    private static Tensor zeros(ElementType type, int... shape) {
        return Tensor.of(type, shape, new double[Shapes.size(shape)]);
    }

    @Test
    void infersConvolutionAndPoolingShapesFromStridesPadsAndDilations() {
        GraphBuilder b = new GraphBuilder("g");
        ValueRef x = b.parameter("x", ElementType.F32, 1, 3, 10, 9);
        // H: (10 + 1 + 0 - ((3-1)*2+1)) / 2 + 1 = 4; W: (9 + 0 + 2 - 3) / 1 + 1 = 9
        ValueRef c = b.convolution("c", x, b.constant("w", zeros(ElementType.F32, 8, 3, 3, 3)), new int[] {2, 1},
                new int[] {1, 0}, new int[] {0, 2}, new int[] {2, 1});
        assertArrayEquals(new int[] {1, 8, 4, 9}, b.shape(c));
        ValueRef p = b.maxPool("p", c, new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 1});
        assertArrayEquals(new int[] {1, 8, 2, 5}, b.shape(p));
    }

    @Test
    void infersMatMulShapesWithTransposesAndBroadcastsElementwiseOps() {
        GraphBuilder b = new GraphBuilder("g");
        ValueRef a = b.parameter("a", ElementType.F32, 2, 5, 3);
        ValueRef m = b.matMul("m", a, b.constant("w", zeros(ElementType.F32, 2, 4, 3)), false, true);
        assertArrayEquals(new int[] {2, 5, 4}, b.shape(m));
        ValueRef t = b.matMul("t", a, b.constant("v", zeros(ElementType.F32, 2, 5, 6)), true, false);
        assertArrayEquals(new int[] {2, 3, 6}, b.shape(t));
        ValueRef s = b.add("s", m, b.constant("bias", zeros(ElementType.F32, 1, 4)));
        assertArrayEquals(new int[] {2, 5, 4}, b.shape(s));
    }

    @Test
    void convertChangesTheElementTypeAndReshapeAddsAnI64ShapeConstant() {
        GraphBuilder b = new GraphBuilder("g");
        ValueRef q = b.constant("q", zeros(ElementType.I8, 2, 6));
        ValueRef f = b.convert("f", q, ElementType.F32);
        assertEquals(ElementType.F32, b.port(f).type());
        ValueRef r = b.reshape("r", f, 3, 4);
        Graph g = b.build();
        Node reshape = g.node(r.node());
        Node shape = g.producer(reshape, 1);
        assertEquals(ElementType.I64, shape.constant().type());
        assertArrayEquals(new double[] {3, 4}, shape.constant().toDoubleArray());
        assertEquals(List.of("r"), reshape.output(0).names());
    }

    @Test
    void errorsNameTheLayerBeingAdded() {
        GraphBuilder b = new GraphBuilder("g");
        ValueRef x = b.parameter("x", ElementType.F32, 1, 3, 4, 4);
        ValueRef w = b.constant("w", zeros(ElementType.F32, 8, 2, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.convolution("conv7", x, w,
                new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}, new int[] {1, 1}));
        assertTrue(e.getMessage().contains("layer 'conv7'") && e.getMessage().contains("3 channels"), e.getMessage());
        ValueRef y = b.constant("y", zeros(ElementType.F32, 2, 3));
        e = assertThrows(IllegalArgumentException.class, () -> b.add("sum", y, b.constant("z", zeros(ElementType.F32, 4))));
        assertTrue(e.getMessage().contains("layer 'sum'") && e.getMessage().contains("do not broadcast"), e.getMessage());
    }
}
