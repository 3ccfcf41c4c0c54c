package dev.lowbit.graph;

import dev.lowbit.ir.ElementType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Builds a {@link Graph} node by node: one method per common op (opset1 unless stated) that checks its
 * inputs, infers the output shape and element type, and writes the attributes the way OpenVINO's
 * serializer spells them; {@link #node} adds any other op with explicit ports, and {@link #copy} re-adds
 * a node of another graph with new inputs (for rewrites). Ids are assigned 0, 1, 2 ... in call order. Every
 * op output carries its layer name as tensor name. Errors are {@link IllegalArgumentException}s naming the
 * layer being added. Mutable, not thread-safe; {@link #build} returns an immutable graph.
 */
public final class GraphBuilder {
    private final String name;
    private final Path source;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<Integer, Node> byId = new LinkedHashMap<>();

    /** {@code source} is the path error messages name (the .xml the graph will be written to, or any label). */
    public GraphBuilder(String name, Path source) {
        this.name = name;
        this.source = source;
    }

    public GraphBuilder(String name) {
        this(name, Path.of(name + ".xml"));
    }

    /** The declared port of a value added so far. */
    public Port port(ValueRef value) {
        Node n = byId.get(value.node());
        if (n == null || value.port() >= n.outputs().size()) {
            throw new IllegalArgumentException("no value " + value + " in graph " + name);
        }
        return n.outputs().get(value.port());
    }

    public int[] shape(ValueRef value) {
        return port(value).shape();
    }

    public ValueRef parameter(String layer, ElementType type, int... shape) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("shape", join(shape, ","));
        a.put("element_type", type.irName());
        return node("Parameter", "opset1", layer, a, List.of(), List.of(new Port(type, shape, List.of(layer)))).out(0);
    }

    public ValueRef constant(String layer, Tensor value) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("element_type", value.type().irName());
        a.put("shape", join(value.shape(), ", "));
        Node n = addNode("Const", "opset1", layer, a, List.of(), List.of(new Port(value.type(), value.shape())), value);
        return n.out(0);
    }

    /** A 2-D Convolution with explicit padding. */
    public ValueRef convolution(String layer, ValueRef data, ValueRef weights, int[] strides, int[] padsBegin,
            int[] padsEnd, int[] dilations) {
        int[] x = shape(data);
        int[] w = shape(weights);
        if (x.length != 4 || w.length != 4) {
            throw error(layer, "Convolution needs 4-D data and weights, got " + Arrays.toString(x) + " and "
                    + Arrays.toString(w));
        }
        if (x[1] != w[1]) {
            throw error(layer, "data has " + x[1] + " channels but the weights expect " + w[1]);
        }
        int[] out = {x[0], w[0], 0, 0};
        for (int i = 0; i < 2; i++) {
            int span = (w[2 + i] - 1) * dilations[i] + 1;
            out[2 + i] = Math.floorDiv(x[2 + i] + padsBegin[i] + padsEnd[i] - span, strides[i]) + 1;
            if (out[2 + i] <= 0) {
                throw error(layer, "the kernel does not fit the padded input " + Arrays.toString(x));
            }
        }
        Map<String, String> a = new LinkedHashMap<>();
        a.put("strides", join(strides, ", "));
        a.put("dilations", join(dilations, ", "));
        a.put("pads_begin", join(padsBegin, ", "));
        a.put("pads_end", join(padsEnd, ", "));
        a.put("auto_pad", "explicit");
        return op("Convolution", "opset1", layer, a, List.of(data, weights), type(data), out);
    }

    /** MaxPool (opset1) with explicit padding, rounding_type floor. */
    public ValueRef maxPool(String layer, ValueRef data, int[] kernel, int[] strides, int[] padsBegin, int[] padsEnd) {
        int[] x = shape(data);
        if (x.length != 2 + kernel.length) {
            throw error(layer, "MaxPool over " + kernel.length + " axes needs rank " + (2 + kernel.length)
                    + " data, got " + Arrays.toString(x));
        }
        int[] out = x.clone();
        for (int i = 0; i < kernel.length; i++) {
            out[2 + i] = Math.floorDiv(x[2 + i] + padsBegin[i] + padsEnd[i] - kernel[i], strides[i]) + 1;
            if (out[2 + i] <= 0) {
                throw error(layer, "the pooling window does not fit the padded input " + Arrays.toString(x));
            }
        }
        Map<String, String> a = new LinkedHashMap<>();
        a.put("strides", join(strides, ", "));
        a.put("pads_begin", join(padsBegin, ", "));
        a.put("pads_end", join(padsEnd, ", "));
        a.put("kernel", join(kernel, ", "));
        a.put("rounding_type", "floor");
        a.put("auto_pad", "explicit");
        return op("MaxPool", "opset1", layer, a, List.of(data), type(data), out);
    }

    /** MatMul over the last two axes; leading (batch) axes must be equal. */
    public ValueRef matMul(String layer, ValueRef a, ValueRef b, boolean transposeA, boolean transposeB) {
        int[] sa = shape(a);
        int[] sb = shape(b);
        if (sa.length < 2 || sb.length != sa.length
                || !Arrays.equals(Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2))) {
            throw error(layer, "MatMul here supports equal-rank (>= 2) inputs with equal batch axes, got "
                    + Arrays.toString(sa) + " and " + Arrays.toString(sb));
        }
        int r = sa.length;
        int m = transposeA ? sa[r - 1] : sa[r - 2];
        int ka = transposeA ? sa[r - 2] : sa[r - 1];
        int kb = transposeB ? sb[r - 1] : sb[r - 2];
        int n = transposeB ? sb[r - 2] : sb[r - 1];
        if (ka != kb) {
            throw error(layer, "inner dimensions differ: " + ka + " vs " + kb);
        }
        int[] out = sa.clone();
        out[r - 2] = m;
        out[r - 1] = n;
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("transpose_a", Boolean.toString(transposeA));
        attrs.put("transpose_b", Boolean.toString(transposeB));
        return op("MatMul", "opset1", layer, attrs, List.of(a, b), type(a), out);
    }

    public ValueRef add(String layer, ValueRef a, ValueRef b) {
        return elementwise("Add", layer, a, b);
    }

    public ValueRef subtract(String layer, ValueRef a, ValueRef b) {
        return elementwise("Subtract", layer, a, b);
    }

    public ValueRef multiply(String layer, ValueRef a, ValueRef b) {
        return elementwise("Multiply", layer, a, b);
    }

    private ValueRef elementwise(String type, String layer, ValueRef a, ValueRef b) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("auto_broadcast", "numpy");
        return op(type, "opset1", layer, attrs, List.of(a, b), type(a), broadcast(layer, shape(a), shape(b)));
    }

    public ValueRef relu(String layer, ValueRef x) {
        return op("ReLU", "opset1", layer, Map.of(), List.of(x), type(x), shape(x));
    }

    /** SoftMax (opset8, which allows negative axes). */
    public ValueRef softMax(String layer, ValueRef x, int axis) {
        int rank = shape(x).length;
        if (axis < -rank || axis >= rank) {
            throw error(layer, "axis " + axis + " is out of range for rank " + rank);
        }
        return op("SoftMax", "opset8", layer, Map.of("axis", Integer.toString(axis)), List.of(x), type(x), shape(x));
    }

    /** Reshape to a fully specified shape (special_zero false), with the target shape as an i64 Const. */
    public ValueRef reshape(String layer, ValueRef x, int... target) {
        if (Shapes.size(target) != Shapes.size(shape(x))) {
            throw error(layer, "cannot reshape " + Arrays.toString(shape(x)) + " to " + Arrays.toString(target));
        }
        double[] dims = Arrays.stream(target).asDoubleStream().toArray();
        ValueRef shapeConst = constant(layer + "/shape", Tensor.of(ElementType.I64, new int[] {target.length}, dims));
        return op("Reshape", "opset1", layer, Map.of("special_zero", "false"), List.of(x, shapeConst), type(x), target);
    }

    public ValueRef convert(String layer, ValueRef x, ElementType to) {
        return op("Convert", "opset1", layer, Map.of("destination_type", to.irName()), List.of(x), to, shape(x));
    }

    /** FakeQuantize with numpy broadcasting of the four range inputs. */
    public ValueRef fakeQuantize(String layer, ValueRef x, ValueRef inputLow, ValueRef inputHigh, ValueRef outputLow,
            ValueRef outputHigh, int levels) {
        if (levels < 2) {
            throw error(layer, "levels must be >= 2, got " + levels);
        }
        int[] out = shape(x);
        for (ValueRef r : List.of(inputLow, inputHigh, outputLow, outputHigh)) {
            if (!Arrays.equals(broadcast(layer, out, shape(r)), out)) {
                throw error(layer, "range of shape " + Arrays.toString(shape(r)) + " does not broadcast to "
                        + Arrays.toString(out));
            }
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("levels", Integer.toString(levels));
        attrs.put("auto_broadcast", "numpy");
        return op("FakeQuantize", "opset1", layer, attrs, List.of(x, inputLow, inputHigh, outputLow, outputHigh),
                type(x), out);
    }

    public Node result(String layer, ValueRef x) {
        return node("Result", "opset1", layer, Map.of(), List.of(x), List.of());
    }

    /** Adds an op with one output whose port is named after the layer. */
    private ValueRef op(String type, String version, String layer, Map<String, String> attrs, List<ValueRef> inputs,
            ElementType outType, int[] outShape) {
        return node(type, version, layer, attrs, inputs, List.of(new Port(outType, outShape, List.of(layer)))).out(0);
    }

    /**
     * Adds any op: attributes as the IR's {@code <data>} strings, inputs, and declared output ports. Input
     * ports are taken from the producers' output ports (without names). Const nodes go through
     * {@link #constant}.
     */
    public Node node(String type, String version, String layer, Map<String, String> attributes, List<ValueRef> inputs,
            List<Port> outputs) {
        if (type.equalsIgnoreCase("Const")) {
            throw error(layer, "add constants with constant(name, tensor)");
        }
        return addNode(type, version, layer, attributes, inputs, outputs, null);
    }

    /** Re-adds {@code original} (from another graph) with a new id and the given inputs; constants keep their value. */
    public Node copy(Node original, List<ValueRef> inputs) {
        return addNode(original.type(), original.version(), original.name(), original.attributes().asMap(), inputs,
                original.outputs(), original.constant());
    }

    private Node addNode(String type, String version, String layer, Map<String, String> attributes,
            List<ValueRef> inputs, List<Port> outputs, Tensor constant) {
        int id = nodes.size();
        List<Port> inPorts = new ArrayList<>();
        for (ValueRef in : inputs) {
            Port p = port(in);
            inPorts.add(new Port(p.type(), p.shape()));
        }
        Attributes attrs = new Attributes(attributes, source, id, layer, type);
        Node n = new Node(id, layer, type, version, attrs, inputs, inPorts, outputs, constant, source);
        nodes.add(n);
        byId.put(id, n);
        return n;
    }

    /** The graph of every node added so far. */
    public Graph build() {
        return Graph.of(name, source, nodes);
    }

    private ElementType type(ValueRef v) {
        return port(v).type();
    }

    private IllegalArgumentException error(String layer, String what) {
        return new IllegalArgumentException(source + ": layer '" + layer + "': " + what);
    }

    /** Numpy broadcasting of two shapes. */
    private int[] broadcast(String layer, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw error(layer, "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private static String join(int[] values, String separator) {
        return IntStream.of(values).mapToObj(Integer::toString).collect(Collectors.joining(separator));
    }
}
