package dev.lowbit.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;

/**
 * Turns one planned layer into the body of its generated method: a call of a runtime kernel with the
 * layer's shapes and attributes as literals. One implementation per kernel kind; stateless, thread-safe.
 */
interface LayerEmitter {
    /**
     * Checks at plan time that this emitter can generate {@code node} (ranks, attribute values, which inputs
     * must be constant).
     *
     * @throws dev.lowbit.ir.IrException naming the layer and what is not supported
     */
    void check(Node node, Graph graph);

    /** The method body; operands, constants and scratch come from {@code ctx}. */
    CodeBlock emit(StepContext ctx);
}
