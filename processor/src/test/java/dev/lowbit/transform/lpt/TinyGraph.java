package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Attributes;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Port;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds small graphs by hand for the transformation unit tests. Not thread-safe. */
final class TinyGraph {
    private static final Path SOURCE = Path.of("tiny.xml");
    private final List<Node> nodes = new ArrayList<>();
    private int next = 0;
    private int results = 0;

    ValueRef parameter(String name, int... shape) {
        return add(name, "Parameter", Map.of(), List.of(), new Port(ElementType.F32, shape), null);
    }

    ValueRef constant(ElementType type, int[] shape, double... values) {
        Tensor t = Tensor.of(type, shape, values.clone());
        return add("c" + next, "Const", Map.of(), List.of(), new Port(type, shape), t);
    }

    ValueRef scalar(double v) {
        return constant(ElementType.F32, new int[0], v);
    }

    ValueRef op(String type, Map<String, String> attrs, int[] outShape, ValueRef... inputs) {
        return op(type, attrs, ElementType.F32, outShape, inputs);
    }

    ValueRef op(String type, Map<String, String> attrs, ElementType outType, int[] outShape, ValueRef... inputs) {
        return add(type.toLowerCase() + next, type, attrs, List.of(inputs), new Port(outType, outShape), null);
    }

    ValueRef fakeQuantize(ValueRef x, int levels, ValueRef il, ValueRef ih, ValueRef ol, ValueRef oh, int[] shape) {
        return op("FakeQuantize", Map.of("levels", Integer.toString(levels)), shape, x, il, ih, ol, oh);
    }

    /** A model output, named "out", then "out1", "out2" ... */
    void result(ValueRef v) {
        add(results == 0 ? "out" : "out" + results, "Result", Map.of(), List.of(v), null, null);
        results++;
    }

    Node node(ValueRef v) {
        return nodes.get(v.node());
    }

    private ValueRef add(String name, String type, Map<String, String> attrs, List<ValueRef> inputs, Port out, Tensor c) {
        int id = next++;
        List<Port> inPorts = new ArrayList<>();
        for (ValueRef in : inputs) {
            inPorts.add(nodes.get(in.node()).outputs().get(in.port()));
        }
        nodes.add(new Node(id, name, type, "opset1", new Attributes(new LinkedHashMap<>(attrs), SOURCE, id, name, type),
                inputs, inPorts, out == null ? List.of() : List.of(out), c, SOURCE));
        return new ValueRef(id, 0);
    }

    Graph build() {
        return Graph.of("tiny", SOURCE, nodes);
    }

    static Map<String, String> conv(String strides, String pads) {
        return Map.of("strides", strides, "dilations", "1,1", "pads_begin", pads, "pads_end", pads, "auto_pad", "explicit");
    }
}
