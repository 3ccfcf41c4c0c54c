package dev.lowbit.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrReader;
import dev.lowbit.testing.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Constant folding on the tiny fixture and on a real v11 FP16 model (weights stored f16 + Convert). */
class ConstantFoldingTest {
    @Test
    void leavesComputedLayersAndKeepsIdsAndNames() {
        Graph g = new IrReader().read(Path.of("src/test/resources/codegen/tiny_cnn.xml"));
        Graph folded = new ConstantFolding().fold(g);
        assertEquals(g.nodes().size(), folded.nodes().size());
        // nothing in tiny_cnn is computable at build time except what already is constant
        for (Node n : g.nodes()) {
            assertEquals(n.type(), folded.node(n.id()).type(), n.describe());
        }
    }

    @Test
    void foldsWeightDecompressionAndShapeArithmeticOfARealModel() {
        Path xml = SharedData.models().resolve("landmarks-regression-retail-0009/FP16/landmarks-regression-retail-0009.xml");
        Graph g = new IrReader().read(xml);
        Graph folded = new ConstantFolding().fold(g);
        long convertsBefore = g.nodes().stream().filter(n -> n.is("Convert")).count();
        assertTrue(convertsBefore > 0, "the v11 FP16 model decompresses f16 weights with Convert");
        for (Node n : folded.nodes()) {
            if (n.is("Convert") || n.is("ShapeOf") || n.is("Gather") || n.is("Concat") && allConst(folded, n)) {
                throw new AssertionError("not folded: " + n.describe());
            }
        }
        // the folded weights of the first convolution are the f16 values widened to f32, same shape
        Node conv = folded.nodes().stream().filter(n -> n.is("Convolution")).findFirst().orElseThrow();
        Node weights = folded.node(conv.input(1).node());
        assertTrue(weights.is("Const"));
        Node original = g.node(weights.id());
        assertEquals("Convert", original.type());
        Node f16 = g.node(original.input(0).node());
        assertArrayEquals(f16.constant().toDoubleArray(), weights.constant().toDoubleArray());
        assertArrayEquals(original.output(0).shape(), weights.constant().shape());
    }

    private static boolean allConst(Graph g, Node n) {
        return n.inputs().stream().allMatch(in -> g.node(in.node()).is("Const"));
    }
}
