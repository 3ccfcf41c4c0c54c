package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;

/**
 * The reference semantics of one op type: given the node (attributes, opset version, declared ports) and
 * its input values, computes its output values in fp32 (integer types exactly). Implementations are
 * stateless and thread-safe; they favour being obviously right over being fast.
 */
@FunctionalInterface
public interface OpEvaluator {
    Tensor[] evaluate(Node node, Tensor[] inputs);
}
