package dev.lowbit.reference;

import dev.lowbit.graph.Attributes;
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

/**
 * Builds single nodes for op tests and evaluates them the way the evaluator does (including the check of
 * the computed shape against the declared output port). Mutable builder; one per test.
 */
final class TestNodes {
    static final Path SOURCE = Path.of("test.xml");

    private final String type;
    private String version = "opset1";
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private ElementType outType = ElementType.F32;
    private int[] outShape;

    private TestNodes(String type) {
        this.type = type;
    }

    static TestNodes op(String type) {
        return new TestNodes(type);
    }

    TestNodes version(String v) {
        this.version = v;
        return this;
    }

    TestNodes attr(String key, String value) {
        attributes.put(key, value);
        return this;
    }

    /** The declared output port (the IR's contract; the evaluator checks the computed shape against it). */
    TestNodes out(ElementType t, int... shape) {
        this.outType = t;
        this.outShape = shape;
        return this;
    }

    Node node(Tensor... inputs) {
        List<ValueRef> refs = new ArrayList<>();
        List<Port> ports = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            refs.add(new ValueRef(100 + i, 0));
            ports.add(new Port(inputs[i].type(), inputs[i].shape()));
        }
        return new Node(7, "layer_under_test", type, version,
                new Attributes(attributes, SOURCE, 7, "layer_under_test", type), refs, ports,
                List.of(new Port(outType, outShape == null ? new int[0] : outShape)), null, SOURCE);
    }

    /** Evaluates through {@link ReferenceEvaluator#evaluate}, so a shape that differs from the declared one fails. */
    Tensor eval(Tensor... inputs) {
        return ReferenceEvaluator.evaluate(node(inputs), inputs)[0];
    }

    static Tensor f32(int[] shape, float... values) {
        return Tensor.f32(shape, values);
    }

    static Tensor f32s(float... values) {
        return Tensor.f32(new int[] {values.length}, values);
    }

    static Tensor scalarF32(float v) {
        return Tensor.f32(new int[0], new float[] {v});
    }

    static Tensor i64(long... values) {
        return ints(ElementType.I64, new int[] {values.length}, values);
    }

    static Tensor i32(long... values) {
        return ints(ElementType.I32, new int[] {values.length}, values);
    }

    static Tensor scalarI64(long v) {
        return ints(ElementType.I64, new int[0], v);
    }

    static Tensor ints(ElementType t, int[] shape, long... values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return Tensor.of(t, shape, d);
    }

    /** 0, 1, 2 ... as f32 in the given shape (easy to follow in hand-computed expectations). */
    static Tensor iota(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return Tensor.f32(shape, v);
    }

    static int[] shape(int... dims) {
        return dims;
    }
}
