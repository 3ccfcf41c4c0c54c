package dev.lowbit.graph;

import dev.lowbit.ir.IrException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable computation graph: nodes in topological order, model inputs (Parameter) and outputs (Result)
 * in the IR's order, and the consumers of every value. Transformations produce new graphs. Thread-safe.
 */
public final class Graph {
    /** A consumer of a value: input {@code inputPosition} of {@code node}. Immutable, thread-safe. */
    public record Use(Node node, int inputPosition) {}

    private final String name;
    private final Path source;
    private final List<Node> nodes;
    private final Map<Integer, Node> byId;
    private final Map<ValueRef, List<Use>> consumers;
    private final List<Node> parameters;
    private final List<Node> results;

    private Graph(String name, Path source, List<Node> ordered, Collection<Node> declared) {
        this.name = name;
        this.source = source;
        this.nodes = Collections.unmodifiableList(ordered);
        Map<Integer, Node> ids = new LinkedHashMap<>();
        Map<ValueRef, List<Use>> uses = new HashMap<>();
        List<Node> params = new ArrayList<>();
        List<Node> res = new ArrayList<>();
        for (Node n : ordered) {
            ids.put(n.id(), n);
            for (int i = 0; i < n.inputs().size(); i++) {
                uses.computeIfAbsent(n.inputs().get(i), k -> new ArrayList<>()).add(new Use(n, i));
            }
        }
        // Inputs and outputs keep the order the file declares them in: OpenVINO's serializer writes
        // Parameters and Results in the model's input and output order.
        for (Node n : declared) {
            if (n.is("Parameter")) {
                params.add(n);
            } else if (n.is("Result")) {
                res.add(n);
            }
        }
        this.byId = Collections.unmodifiableMap(ids);
        uses.replaceAll((k, v) -> List.copyOf(v));
        this.consumers = Collections.unmodifiableMap(uses);
        this.parameters = List.copyOf(params);
        this.results = List.copyOf(res);
    }

    /**
     * Builds a graph from nodes in any order; Parameters and Results keep the order given (the model's input
     * and output order). Checks that ids are unique, that every input refers to an
     * existing node and output port, and that there is no cycle; orders the nodes topologically (stable:
     * among ready nodes, the one given first comes first).
     */
    public static Graph of(String name, Path source, Collection<Node> nodes) {
        Map<Integer, Node> byId = new LinkedHashMap<>();
        for (Node n : nodes) {
            if (byId.put(n.id(), n) != null) {
                throw new IrException(n, "duplicate layer id " + n.id());
            }
        }
        Map<Integer, Integer> pending = new HashMap<>();
        Map<Integer, List<Node>> dependents = new HashMap<>();
        for (Node n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                ValueRef in = n.inputs().get(i);
                Node producer = byId.get(in.node());
                if (producer == null) {
                    throw new IrException(n, "input " + i + " comes from layer id " + in.node() + ", which does not exist");
                }
                if (in.port() < 0 || in.port() >= producer.outputs().size()) {
                    throw new IrException(n, "input " + i + " comes from output " + in.port() + " of "
                            + producer.describe() + ", which has " + producer.outputs().size() + " outputs");
                }
                dependents.computeIfAbsent(in.node(), k -> new ArrayList<>()).add(n);
            }
            pending.put(n.id(), n.inputs().size());
        }
        Deque<Node> ready = new ArrayDeque<>();
        for (Node n : nodes) {
            if (n.inputs().isEmpty()) {
                ready.add(n);
            }
        }
        List<Node> ordered = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            ordered.add(n);
            for (Node d : dependents.getOrDefault(n.id(), List.of())) {
                if (pending.merge(d.id(), -1, Integer::sum) == 0) {
                    ready.add(d);
                }
            }
        }
        if (ordered.size() != nodes.size()) {
            Node onCycle = nodes.stream().filter(n -> pending.get(n.id()) > 0).findFirst().orElseThrow();
            throw new IrException(onCycle, "the graph has a cycle through this layer");
        }
        return new Graph(name, source, ordered, nodes);
    }

    public String name() {
        return name;
    }

    /** The .xml file this graph was read from. */
    public Path source() {
        return source;
    }

    /** All nodes, producers before consumers. */
    public List<Node> nodes() {
        return nodes;
    }

    public Node node(int id) {
        Node n = byId.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node with id " + id + " in " + source);
        }
        return n;
    }

    /** The declared port of a value. */
    public Port port(ValueRef ref) {
        return node(ref.node()).output(ref.port());
    }

    /** The node producing input {@code position} of {@code node}. */
    public Node producer(Node node, int position) {
        return node(node.input(position).node());
    }

    public List<Use> consumers(ValueRef value) {
        return consumers.getOrDefault(value, List.of());
    }

    /** The model inputs, in the order the IR declares them. */
    public List<Node> parameters() {
        return parameters;
    }

    /** The model outputs, in the order the IR declares them. */
    public List<Node> results() {
        return results;
    }

    public int maxId() {
        return nodes.stream().mapToInt(Node::id).max().orElse(-1);
    }

    /** One line per node, for dumps and debugging. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("graph ").append(name).append(" (").append(source).append(")\n");
        for (Node n : nodes) {
            sb.append("  ").append(n).append('\n');
        }
        return sb.toString();
    }
}
