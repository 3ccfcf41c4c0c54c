package dev.lowbit.reference;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Port;
import dev.lowbit.graph.Signature;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The oracle: evaluates a graph in fp32 with straightforward loops, FakeQuantize applied literally, dot
 * products accumulated in double. Every computed output is checked against the shape the IR declares for
 * it; a mismatch is an error naming the layer. Stateless apart from the graph; thread-safe.
 */
public final class ReferenceEvaluator {
    private final Graph graph;

    public ReferenceEvaluator(Graph graph) {
        this.graph = graph;
    }

    public Graph graph() {
        return graph;
    }

    /** Runs the model: inputs by Parameter name, outputs by {@link Signature#outputName output name}. */
    public Map<String, Tensor> run(Map<String, Tensor> inputs) {
        Map<ValueRef, Tensor> all = runAll(inputs);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Node r : graph.results()) {
            out.put(Signature.outputName(r), all.get(r.input(0)));
        }
        return out;
    }

    /** Runs the model and returns every value it computed, for layer-by-layer comparisons. */
    public Map<ValueRef, Tensor> runAll(Map<String, Tensor> inputs) {
        Map<ValueRef, Tensor> values = new HashMap<>();
        for (Node p : graph.parameters()) {
            Tensor t = inputs.get(Signature.inputName(p));
            if (t == null) {
                throw new IllegalArgumentException("missing input '" + Signature.inputName(p) + "', expected shape "
                        + Arrays.toString(p.output(0).shape()) + "; given " + inputs.keySet());
            }
            if (!Arrays.equals(t.shape(), p.output(0).shape())) {
                throw new IllegalArgumentException("input '" + Signature.inputName(p) + "': expected shape "
                        + Arrays.toString(p.output(0).shape()) + ", got " + Arrays.toString(t.shape()));
            }
            values.put(p.out(0), t);
        }
        for (Node n : graph.nodes()) {
            if (n.is("Parameter")) {
                continue;
            }
            if (n.is("Result")) {
                continue;
            }
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = values.get(n.inputs().get(i));
            }
            Tensor[] out = evaluate(n, in);
            for (int i = 0; i < out.length; i++) {
                values.put(n.out(i), out[i]);
            }
        }
        return values;
    }

    /** Evaluates one node on given inputs and checks its outputs against the declared ports. */
    public static Tensor[] evaluate(Node n, Tensor[] in) {
        Tensor[] out;
        if (n.is("Const")) {
            out = new Tensor[] {n.constant()};
        } else {
            OpEvaluator op = OpRegistry.forNode(n);
            op.arity().check(n, in);
            out = op.evaluate(n, in);
        }
        if (out.length < n.outputs().size()) {
            throw new IrException(n, "computes " + out.length + " outputs, the IR declares " + n.outputs().size());
        }
        for (int i = 0; i < n.outputs().size(); i++) {
            Port declared = n.outputs().get(i);
            if (!Arrays.equals(declared.shape(), out[i].shape())) {
                throw new IrException(n, "output " + i + " is declared with shape " + Arrays.toString(declared.shape())
                        + " but the inputs give shape " + Arrays.toString(out[i].shape()));
            }
        }
        return out;
    }
}
