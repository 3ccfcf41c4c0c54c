package dev.lowbit.plan;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;

/**
 * Answers whether a layer can become a kernel call; implemented by the code generator, which knows its
 * kernels. Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface LayerSupport {
    /**
     * Checks that {@code node} of {@code graph} can run.
     *
     * @throws dev.lowbit.ir.IrException naming the layer and what is not supported
     */
    void check(Node node, Graph graph);

    /**
     * Whether the kernel of {@code node} may write its output over input 0 (same shape, each element read
     * before it is written and never read again), so the planner can reuse input 0's buffer when that input
     * dies at this layer.
     */
    default boolean canWriteOverInput0(Node node, Graph graph) {
        return false;
    }
}
