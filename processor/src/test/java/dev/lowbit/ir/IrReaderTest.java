package dev.lowbit.ir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class IrReaderTest {
    static Path resource(String name) {
        try {
            return Path.of(IrReaderTest.class.getResource("/ir/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String errorOf(String malformed) {
        Path xml = resource("malformed/" + malformed + ".xml");
        IrException e = assertThrows(IrException.class, () -> new IrReader().read(xml));
        assertTrue(e.getMessage().startsWith(xml.toString()), "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertNamesLayer(String message, String layerPart) {
        assertTrue(message.contains(layerPart), "expected '" + layerPart + "' in: " + message);
    }

    @Test
    void readsTinyModelWithPortsNamesConstantsAndOrder() {
        Graph g = new IrReader().read(resource("valid/tiny_add.xml"));
        assertEquals(List.of("x", "bias", "add", "y"), g.nodes().stream().map(Node::name).toList());
        Node bias = g.node(1);
        assertArrayEquals(new double[] {0.5, -1.25}, bias.constant().toDoubleArray());
        assertArrayEquals(new int[] {1, 2}, g.node(0).output(0).shape());
        assertEquals(List.of("y"), g.node(2).output(0).names());
        assertEquals(2, g.node(2).inputs().size());
        assertEquals(1, g.node(2).input(1).node(), "port id 1 of Add is its second input");
        assertEquals(List.of(new Graph.Use(g.node(3), 0)), g.consumers(g.node(2).out(0)));
    }

    @Test
    void readsV10WithIdsOutOfOrderScalarsSharedUnalignedRegionsAndNibbles() {
        Graph g = new IrReader().read(resource("valid/v10_shared_scalar.xml"));
        assertEquals(List.of("x", "pair", "scalar", "nibbles", "mul", "scaled", "out/sink_port_0"),
                g.nodes().stream().map(Node::name).toList(), "producers before consumers, file order among ready ones");
        assertArrayEquals(new double[] {2.0, 3.0}, g.node(3).constant().toDoubleArray());
        assertArrayEquals(new int[0], g.node(4).constant().shape(), "shape=\"\" is a scalar");
        assertArrayEquals(new double[] {2.0}, g.node(4).constant().toDoubleArray(), "shares the pair's first bytes");
        assertArrayEquals(new double[] {-1, -7}, g.node(6).constant().toDoubleArray());
        assertEquals(ElementType.F16, g.node(5).output(0).type());
        assertEquals("out", dev.lowbit.graph.Signature.outputName(g.results().get(0)));
        assertArrayEquals(new int[] {2}, g.node(6).attributes().ints("shape"));
    }

    @Test
    void rejectsAConstantHoldingNaN() {
        // element 1 is the quiet NaN 0x7fc00000
        assertNamesLayer(errorOf("nan_constant"), "layer id=1 name='bias' type=Const: holds NaN at element 1 (offset 0)");
    }

    @Test
    void rejectsTruncatedBin() {
        assertNamesLayer(errorOf("truncated_bin"), "layer id=1 name='bias' type=Const: data at offset 0 size 8 runs past the end of the .bin (5 bytes)");
    }

    @Test
    void rejectsOffsetPastEndOfBin() {
        assertNamesLayer(errorOf("offset_past_end"), "layer id=1 name='bias' type=Const: data at offset 4096");
    }

    @Test
    void rejectsSizeThatDoesNotMatchShape() {
        assertNamesLayer(errorOf("size_mismatch"), "size 6 bytes does not match shape [1, 2] x f32 = 8 bytes");
    }

    @Test
    void rejectsUnknownElementType() {
        assertNamesLayer(errorOf("unknown_element_type"), "layer id=1 name='bias' type=Const: unknown or unsupported element_type 'q7'");
    }

    @Test
    void rejectsMissingAttribute() {
        assertNamesLayer(errorOf("missing_attribute"), "layer id=1 name='bias' type=Const: missing attribute 'offset'");
    }

    @Test
    void rejectsShapeWithTenToTheTwelveElements() {
        assertNamesLayer(errorOf("huge_shape"), "layer id=1 name='bias' type=Const: port 1 has shape [1000000, 1000000] with more than");
    }

    @Test
    void rejectsCycle() {
        assertNamesLayer(errorOf("cycle"), "layer id=2 name='add' type=Add: the graph has a cycle through this layer");
    }

    @Test
    void rejectsDanglingInput() {
        assertNamesLayer(errorOf("dangling_input"), "layer id=2 name='add' type=Add: input port 1 has no incoming edge");
    }

    @Test
    void rejectsEdgeFromMissingLayer() {
        assertNamesLayer(errorOf("edge_to_missing_layer"), "edge 7:1 -> 2:1 refers to layer id 7, which does not exist");
    }

    @Test
    void rejectsDuplicateLayerIds() {
        assertNamesLayer(errorOf("duplicate_id"), "layer id=2 name='again' type=ReLU: duplicate layer id 2");
    }

    @Test
    void rejectsTextThatIsNotXml() {
        assertNamesLayer(errorOf("not_xml"), "malformed XML");
    }

    @Test
    void rejectsUnsupportedIrVersion() {
        assertNamesLayer(errorOf("unsupported_version"), "unsupported IR version '7' (supported: 10, 11)");
    }

    @Test
    void rejectsDynamicDimensions() {
        assertNamesLayer(errorOf("dynamic_dim"), "layer id=0 name='x' type=Parameter: port 0 has dimension -1: only static shapes are supported");
    }

    @Test
    void externalEntityNeverReadsAnotherFile() {
        String message = errorOf("xxe");
        assertFalse(message.contains("TOP-SECRET"), "the secret must not leak into the message: " + message);
        assertNamesLayer(message, "malformed XML: DOCTYPE declarations are not allowed in IR files");
    }

    @Test
    void parameterEntityNeverReadsAnotherFile() {
        String message = errorOf("xxe_parameter_entity");
        assertFalse(message.contains("TOP-SECRET"), message);
        assertNamesLayer(message, "DOCTYPE declarations are not allowed");
    }

    @Test
    void missingModelFileIsAClearError() {
        Path xml = resource("valid/tiny_add.xml").resolveSibling("nope.xml");
        IrException e = assertThrows(IrException.class, () -> new IrReader().read(xml));
        assertEquals(xml + ": model file not found", e.getMessage());
    }
}
