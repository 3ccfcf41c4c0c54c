package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Reshape (opset1): the same values in the shape given by input 1. With {@code special_zero} true a 0 copies
 * the input dimension at the same index; at most one -1 is inferred from the element count. Stateless,
 * thread-safe.
 */
final class ReshapeOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor x = in[0];
        return new Tensor[] {Tensor.of(node.output(0).type(), outputShape(node, x.shape(), in[1]), x.toDoubleArray())};
    }

    /** The output shape for an input of this shape and the target shape tensor. */
    static int[] outputShape(Node node, int[] input, Tensor target) {
        if (!node.attributes().has("special_zero")) {
            throw node.attributes().error("missing attribute 'special_zero'");
        }
        boolean specialZero = node.attributes().bool("special_zero", false);
        return targetShape(node, input, OpInputs.integers(node, target, "target shape"), specialZero);
    }

    static int[] targetShape(Node node, int[] input, long[] target, boolean specialZero) {
        int[] out = new int[target.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long d = target[i];
            if (d == 0 && specialZero) {
                if (i >= input.length) {
                    throw new IrException(node, "target shape " + Arrays.toString(target) + " copies dimension " + i
                            + " (special_zero) but the input " + Arrays.toString(input) + " has rank " + input.length);
                }
                d = input[i];
            } else if (d == -1) {
                if (inferred >= 0) {
                    throw new IrException(node, "target shape " + Arrays.toString(target) + " has more than one -1");
                }
                inferred = i;
                continue;
            } else if (d < 0 || d > Integer.MAX_VALUE) {
                throw new IrException(node, "target shape " + Arrays.toString(target) + " has invalid dimension " + d);
            }
            out[i] = (int) d;
            known *= d;
        }
        long total = Shapes.size(input);
        if (inferred >= 0) {
            if (known == 0 || total % known != 0) {
                throw new IrException(node, "cannot infer the -1 in target shape " + Arrays.toString(target)
                        + " for input " + Arrays.toString(input));
            }
            out[inferred] = (int) (total / known);
        } else if (known != total) {
            throw new IrException(node, "target shape " + Arrays.toString(target) + " has " + known
                    + " elements, the input " + Arrays.toString(input) + " has " + total);
        }
        return out;
    }
}
