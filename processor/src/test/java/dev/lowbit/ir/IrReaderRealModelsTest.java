package dev.lowbit.ir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.testing.SharedData;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IrReaderRealModelsTest {
    static Stream<Path> models() {
        return SharedData.allModelXmls().stream();
    }

    @org.junit.jupiter.api.Test
    void outputsKeepTheOrderTheFileDeclares() {
        // vehicle-attributes FP32 declares Result "type" (id 63) before "color" (id 78).
        Path xml = SharedData.models().resolve("vehicle-attributes-recognition-barrier-0039/FP32/vehicle-attributes-recognition-barrier-0039.xml");
        Graph g = new IrReader().read(xml);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("type", "color"), dev.lowbit.graph.Signature.outputNames(g));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void readsEveryOmzModel(Path xml) {
        Graph g = new IrReader().read(xml);
        assertFalse(g.parameters().isEmpty(), "model has inputs");
        assertFalse(g.results().isEmpty(), "model has outputs");
        Map<String, Long> ops = new TreeMap<>(g.nodes().stream().collect(Collectors.groupingBy(Node::type, Collectors.counting())));
        for (Node n : g.nodes()) {
            if (n.is("Const")) {
                assertTrue(n.constant() != null && n.constant().size() == n.output(0).size(), n.describe());
            }
        }
        System.out.println(SharedData.label(xml) + ": " + g.nodes().size() + " nodes " + ops);
    }
}
