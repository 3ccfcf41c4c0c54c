package dev.lowbit.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Attributes;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Port;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstantValuesTest {
    private static final Path SRC = Path.of("t.xml");

    private static Node node(int id, String type, Map<String, String> attrs, List<ValueRef> in, Port out, Tensor c) {
        return new Node(id, "n" + id, type, "opset1", new Attributes(attrs, SRC, id, "n" + id, type), in, List.of(),
                out == null ? List.of() : List.of(out), c, SRC);
    }

    @Test
    void shapeOfAnActivationIsAConstantAndFoldsThroughGather() {
        List<Node> n = new ArrayList<>();
        n.add(node(0, "Parameter", Map.of(), List.of(), new Port(ElementType.F32, new int[] {1, 3, 4, 5}), null));
        n.add(node(1, "ShapeOf", Map.of(), List.of(new ValueRef(0, 0)), new Port(ElementType.I64, new int[] {4}), null));
        n.add(node(2, "Const", Map.of(), List.of(), new Port(ElementType.I64, new int[] {2}),
                Tensor.of(ElementType.I64, new int[] {2}, new double[] {2, 3})));
        n.add(node(3, "Const", Map.of(), List.of(), new Port(ElementType.I64, new int[0]),
                Tensor.of(ElementType.I64, new int[0], new double[] {0})));
        n.add(node(4, "Gather", Map.of(), List.of(new ValueRef(1, 0), new ValueRef(2, 0), new ValueRef(3, 0)),
                new Port(ElementType.I64, new int[] {2}), null));
        n.add(node(5, "Result", Map.of(), List.of(new ValueRef(4, 0)), null, null));
        Graph g = Graph.of("t", SRC, n);
        ConstantValues c = new ConstantValues(g);
        assertFalse(c.isConstant(new ValueRef(0, 0)));
        assertTrue(c.isConstant(new ValueRef(4, 0)));
        assertArrayEquals(new long[] {4, 5}, c.value(new ValueRef(4, 0)).toLongArray());
        assertThrows(IllegalStateException.class, () -> c.value(new ValueRef(0, 0)));
    }
}
