package dev.lowbit.plan;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import java.util.List;
import java.util.Map;

/**
 * What the generated class does, decided at build time: the kernel calls in order, where every value
 * lives, and the scratch buffers (reused between values whose lifetimes do not overlap). Immutable and
 * thread-safe.
 *
 * @param graph       the folded graph the plan was made from
 * @param steps       one per kernel call, in execution order
 * @param storage     the storage of every value a step reads or writes, or a Result reads
 * @param bufferSizes floats in each scratch buffer
 */
public record ModelPlan(Graph graph, List<Step> steps, Map<ValueRef, Storage> storage, int[] bufferSizes) {
    public ModelPlan {
        steps = List.copyOf(steps);
        storage = Map.copyOf(storage);
        bufferSizes = bufferSizes.clone();
    }

    @Override
    public int[] bufferSizes() {
        return bufferSizes.clone();
    }

    public Storage storageOf(ValueRef value) {
        Storage s = storage.get(value);
        if (s == null) {
            throw new IllegalStateException("no storage planned for value " + value);
        }
        return s;
    }

    public List<Node> inputs() {
        return graph.parameters();
    }

    public List<Node> outputs() {
        return graph.results();
    }

    /** Total floats of scratch the memory plan needs per model instance. */
    public long scratchFloats() {
        long s = 0;
        for (int b : bufferSizes) {
            s += b;
        }
        return s;
    }

    /** One line per step with the storage of its inputs and outputs, for dumps. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("plan of ").append(graph.name()).append('\n');
        for (Step s : steps) {
            sb.append("  ").append(s.node().describe()).append(' ');
            for (ValueRef in : s.node().inputs()) {
                sb.append(storage.get(in)).append(' ');
            }
            sb.append("-> ");
            for (int i = 0; i < s.node().outputs().size(); i++) {
                sb.append(storage.get(s.node().out(i))).append(' ');
            }
            sb.append('\n');
        }
        sb.append("  buffers ").append(java.util.Arrays.toString(bufferSizes)).append('\n');
        return sb.toString();
    }
}
