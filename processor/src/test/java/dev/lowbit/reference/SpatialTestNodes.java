package dev.lowbit.reference;

import dev.lowbit.graph.Attributes;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Port;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds single nodes with declared output shapes for the spatial and detection op tests, and evaluates them
 * through the reference evaluator (which checks the computed shapes against the declared ones).
 */
final class SpatialTestNodes {
    static final Path SOURCE = Path.of("unit-test.xml");
    static final int ID = 7;

    private SpatialTestNodes() {}

    /** "key", "value", "key", "value", ... */
    static Map<String, String> attrs(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    static Node node(String type, String version, Map<String, String> attrs, int[]... outputShapes) {
        List<Port> outputs = new ArrayList<>();
        for (int[] s : outputShapes) {
            outputs.add(new Port(ElementType.F32, s));
        }
        String name = "test_" + type;
        return new Node(ID, name, type, version, new Attributes(attrs, SOURCE, ID, name, type), List.of(), List.of(),
                outputs, null, SOURCE);
    }

    static Tensor f32(int[] shape, double... values) {
        return Tensor.of(ElementType.F32, shape, values);
    }

    static Tensor i64(long... values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return Tensor.of(ElementType.I64, new int[] {values.length}, d);
    }

    /** 0, 1, 2, ... n-1. */
    static double[] ramp(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return d;
    }

    static int[] shape(int... dims) {
        return dims;
    }

    /** Evaluates the node through the evaluator's registry, which also checks the declared output shapes. */
    static Tensor[] run(Node node, Tensor... inputs) {
        return ReferenceEvaluator.evaluate(node, inputs);
    }
}
