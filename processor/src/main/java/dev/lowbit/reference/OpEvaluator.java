package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;

/**
 * The reference semantics of one op type: given the node (attributes, opset version, declared ports) and
 * its input values, computes its output values in fp32 (integer types exactly). Implementations are
 * stateless and thread-safe; they favour being obviously right over being fast.
 */
public interface OpEvaluator {
    /** How many inputs the op takes; checked before {@link #evaluate} is called, and on the IR as read. */
    InputArity arity();

    /** The outputs; called only with a number of inputs that {@link #arity()} allows, none of them null. */
    Tensor[] evaluate(Node node, Tensor[] inputs);
}
