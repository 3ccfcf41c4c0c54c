package dev.lowbit.transform;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.reference.ReferenceEvaluator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces every node whose value is known at build time by a Const node holding it: nodes whose inputs are
 * all constant are evaluated with the reference evaluator (shape arithmetic, PriorBox, PriorBoxClustered,
 * weight decompression Convert/Subtract/Multiply, weight FakeQuantize), and ShapeOf becomes the declared
 * static shape of its input. Stateless, thread-safe.
 */
public final class ConstantFolding {

    /** The folded graph: same ids, names and ports; folded nodes become Const. */
    public Graph fold(Graph graph) {
        Map<ValueRef, Tensor> known = new HashMap<>();
        List<Node> nodes = new ArrayList<>(graph.nodes().size());
        for (Node n : graph.nodes()) {
            Node folded = foldOne(graph, n, known);
            if (folded.is("Const")) {
                known.put(folded.out(0), folded.constant());
            }
            nodes.add(folded);
        }
        return Graph.of(graph.name(), graph.source(), nodes);
    }

    private static Node foldOne(Graph graph, Node n, Map<ValueRef, Tensor> known) {
        if (n.is("Const") || n.is("Parameter") || n.is("Result") || n.outputs().size() != 1) {
            return n;
        }
        if (n.is("ShapeOf")) {
            int[] shape = graph.port(n.input(0)).shape();
            double[] v = new double[shape.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = shape[i];
            }
            return asConst(n, Tensor.of(n.output(0).type(), new int[] {shape.length}, v));
        }
        Tensor[] in = new Tensor[n.inputs().size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = known.get(n.inputs().get(i));
            if (in[i] == null) {
                return n;
            }
        }
        return asConst(n, ReferenceEvaluator.evaluate(n, in)[0]);
    }

    /** A Const node standing for {@code n}'s value: same id, name and output port, so reports still name the layer. */
    static Node asConst(Node n, Tensor value) {
        return new Node(n.id(), n.name(), "Const", "opset1", n.attributes(), List.of(), List.of(), n.outputs(),
                value, n.source());
    }
}
