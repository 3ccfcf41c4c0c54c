package dev.lowbit.transform;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import dev.lowbit.reference.ReferenceEvaluator;
import java.util.HashMap;
import java.util.Map;

/**
 * Which values of a graph are known at build time, and their values. A value is constant when it comes from
 * a Const, from ShapeOf (shapes are static, so ShapeOf gives the declared shape of its input), or from an op
 * whose inputs are all constant; such values are computed with the reference evaluator's op semantics (the
 * oracle's, never a copy). Results are memoized, so an instance is not thread-safe.
 */
public final class ConstantValues {
    private final Graph graph;
    private final Map<Integer, Boolean> constantNodes = new HashMap<>();
    private final Map<ValueRef, Tensor> values = new HashMap<>();

    public ConstantValues(Graph graph) {
        this.graph = graph;
    }

    public Graph graph() {
        return graph;
    }

    public boolean isConstant(ValueRef ref) {
        return isConstantNode(graph.node(ref.node()));
    }

    public boolean isConstantNode(Node n) {
        Boolean known = constantNodes.get(n.id());
        if (known != null) {
            return known;
        }
        boolean c;
        if (n.is("Const") || n.is("ShapeOf")) {
            c = true;
        } else if (n.is("Parameter") || n.is("Result") || n.inputs().isEmpty()) {
            c = false;
        } else {
            c = true;
            // Graph order is topological, so inputs were usually asked already; recursion depth stays small.
            for (ValueRef in : n.inputs()) {
                if (!isConstant(in)) {
                    c = false;
                    break;
                }
            }
        }
        constantNodes.put(n.id(), c);
        return c;
    }

    /** The value of a constant; asking for a non-constant value is a programming error. */
    public Tensor value(ValueRef ref) {
        Tensor t = values.get(ref);
        if (t != null) {
            return t;
        }
        Node n = graph.node(ref.node());
        if (!isConstantNode(n)) {
            throw new IllegalStateException(n.describe() + " output " + ref.port() + " is not a build-time constant");
        }
        Tensor[] outs;
        if (n.is("Const")) {
            outs = new Tensor[] {n.constant()};
        } else if (n.is("ShapeOf")) {
            int[] shape = graph.port(n.input(0)).shape();
            double[] d = new double[shape.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = shape[i];
            }
            outs = new Tensor[] {Tensor.of(n.output(0).type(), new int[] {shape.length}, d)};
        } else if (n.is("Convert") && floatTarget(n) != null) {
            // Integer and float constants convert to a float type exactly as the Convert op does.
            outs = new Tensor[] {value(n.input(0)).convert(floatTarget(n))};
        } else {
            Tensor[] ins = new Tensor[n.inputs().size()];
            for (int i = 0; i < ins.length; i++) {
                ins[i] = value(n.input(i));
            }
            outs = ReferenceEvaluator.evaluate(n, ins);
        }
        for (int i = 0; i < outs.length; i++) {
            values.put(n.out(i), outs[i]);
        }
        return outs[ref.port()];
    }

    private static ElementType floatTarget(Node convert) {
        ElementType t = ElementType.fromIrName(convert.attributes().string("destination_type", ""));
        return t != null && t.isFloatingPoint() ? t : null;
    }
}
