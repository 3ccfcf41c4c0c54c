package dev.lowbit.plan;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a folded graph into a {@link ModelPlan}: drops layers no output depends on, makes views
 * (Reshape, Squeeze, Unsqueeze, float-to-float Convert) share their input's storage, orders the kernel
 * calls and assigns scratch buffers by lifetime (best fit, reused as soon as the last reader is done; an
 * element-wise layer whose input 0 dies there writes over it in place).
 * Stateless apart from its {@link LayerSupport}; thread-safe.
 */
public final class Planner {
    private static final Set<String> VIEWS = Set.of("reshape", "squeeze", "unsqueeze", "convert");

    private final LayerSupport support;

    public Planner(LayerSupport support) {
        this.support = support;
    }

    public ModelPlan plan(Graph graph) {
        Set<Integer> live = liveNodes(graph);
        List<Step> steps = new ArrayList<>();
        Map<ValueRef, Storage> storage = new HashMap<>();
        Map<ValueRef, ValueRef> root = new HashMap<>(); // view -> the value that owns the storage
        for (int i = 0; i < graph.parameters().size(); i++) {
            storage.put(graph.parameters().get(i).out(0), new Storage.Input(i));
        }
        List<Node> computed = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (!live.contains(n.id()) || n.is("Parameter") || n.is("Result")) {
                continue;
            }
            if (n.is("Const")) {
                storage.put(n.out(0), new Storage.Constant(n.out(0)));
            } else if (isView(n, graph)) {
                ValueRef src = n.input(0);
                root.put(n.out(0), root.getOrDefault(src, src));
            } else {
                support.check(n, graph);
                for (int i = 1; i < n.outputs().size(); i++) {
                    if (!graph.consumers(n.out(i)).isEmpty()) {
                        throw new IrException(n, "output " + i + " is used, but only output 0 of this op is supported");
                    }
                }
                steps.add(new Step(n));
                computed.add(n);
            }
        }
        int[] sizes = assignBuffers(graph, steps, root, storage, support);
        // views take the storage of their root
        for (Map.Entry<ValueRef, ValueRef> e : root.entrySet()) {
            storage.put(e.getKey(), storage.get(e.getValue()));
        }
        return new ModelPlan(graph, steps, storage, sizes);
    }

    private static boolean isView(Node n, Graph graph) {
        if (!VIEWS.contains(n.type().toLowerCase(java.util.Locale.ROOT))) {
            return false;
        }
        if (n.is("Convert")) {
            ElementType from = graph.port(n.input(0)).type();
            ElementType to = n.output(0).type();
            if (!from.isFloatingPoint() || !to.isFloatingPoint()) {
                throw new IrException(n, "Convert from " + from.irName() + " to " + to.irName()
                        + " at run time is not supported (only between floating types, which all compute in f32)");
            }
        }
        return true;
    }

    /** Nodes some Result depends on. */
    private static Set<Integer> liveNodes(Graph graph) {
        Set<Integer> live = new HashSet<>();
        Deque<Node> todo = new ArrayDeque<>(graph.results());
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (live.add(n.id())) {
                for (ValueRef in : n.inputs()) {
                    todo.push(graph.node(in.node()));
                }
            }
        }
        live.addAll(graph.parameters().stream().map(Node::id).toList());
        return live;
    }

    /**
     * The memory plan. A scratch value lives from the step that writes it to the last step reading it or any
     * view of it; values read by a Result live to the end (outputs are copied out after the last step). A
     * step's outputs are placed before its dead inputs are released, so no kernel writes over its own input.
     */
    private static int[] assignBuffers(Graph graph, List<Step> steps, Map<ValueRef, ValueRef> root,
            Map<ValueRef, Storage> storage, LayerSupport support) {
        Map<ValueRef, Integer> lastUse = new HashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            for (ValueRef in : steps.get(i).node().inputs()) {
                lastUse.merge(root.getOrDefault(in, in), i, Math::max);
            }
        }
        for (Node r : graph.results()) {
            lastUse.put(root.getOrDefault(r.input(0), r.input(0)), Integer.MAX_VALUE);
        }
        List<Integer> sizes = new ArrayList<>();
        List<Integer> free = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Node n = steps.get(i).node();
            for (int o = 0; o < n.outputs().size(); o++) {
                ValueRef v = n.out(o);
                if (!lastUse.containsKey(v)) {
                    continue; // an output nobody reads (MaxPool-8 indices): the kernel does not write it
                }
                int need = n.output(o).size();
                ValueRef in0 = n.inputs().isEmpty() ? null : root.getOrDefault(n.input(0), n.input(0));
                int buffer;
                if (o == 0 && in0 != null && lastUse.getOrDefault(in0, -1) == i
                        && storage.get(in0) instanceof Storage.Scratch s && support.canWriteOverInput0(n, graph)) {
                    buffer = s.buffer(); // input 0 dies here and the kernel may overwrite it: compute in place
                } else {
                    buffer = pick(free, sizes, need);
                }
                sizes.set(buffer, Math.max(sizes.get(buffer), need));
                storage.put(v, new Storage.Scratch(buffer));
            }
            for (ValueRef in : n.inputs()) {
                ValueRef r = root.getOrDefault(in, in);
                if (lastUse.getOrDefault(r, -1) == i && storage.get(r) instanceof Storage.Scratch s
                        && !free.contains(s.buffer()) && !holdsOutput(n, storage, s.buffer())) {
                    free.add(s.buffer());
                }
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether one of {@code n}'s outputs was placed in {@code buffer} (computed in place). */
    private static boolean holdsOutput(Node n, Map<ValueRef, Storage> storage, int buffer) {
        for (int o = 0; o < n.outputs().size(); o++) {
            if (storage.get(n.out(o)) instanceof Storage.Scratch s && s.buffer() == buffer) {
                return true;
            }
        }
        return false;
    }

    /** Best fit among free buffers: the smallest that is large enough, else the largest (grown), else a new one. */
    private static int pick(List<Integer> free, List<Integer> sizes, int need) {
        int best = -1;
        for (int b : free) {
            if (sizes.get(b) >= need && (best < 0 || sizes.get(b) < sizes.get(best))) {
                best = b;
            }
        }
        if (best < 0) {
            for (int b : free) {
                if (best < 0 || sizes.get(b) > sizes.get(best)) {
                    best = b;
                }
            }
        }
        if (best < 0) {
            sizes.add(0);
            return sizes.size() - 1;
        }
        free.remove(Integer.valueOf(best));
        return best;
    }
}
