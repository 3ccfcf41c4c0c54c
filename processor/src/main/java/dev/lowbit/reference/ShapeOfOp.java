package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * ShapeOf: the input's dimensions as a 1-D tensor. ShapeOf-1 gives i64; ShapeOf-3 gives {@code output_type}
 * (i64 or i32, default i64). Stateless, thread-safe.
 */
final class ShapeOfOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        ElementType type = outputType(node);
        int[] shape = in[0].shape();
        double[] dims = new double[shape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape[i];
        }
        return new Tensor[] {Tensor.of(type, new int[] {shape.length}, dims)};
    }

    /** The element type: i64 for ShapeOf-1, {@code output_type} (i64 or i32) from opset 3; the port must declare it. */
    static ElementType outputType(Node node) {
        ElementType type = ElementType.I64;
        if (node.opset() >= 3) {
            String name = node.attributes().string("output_type", "i64");
            type = ElementType.fromIrName(name);
            if (type != ElementType.I64 && type != ElementType.I32) {
                throw node.attributes().error("attribute 'output_type'='" + name + "' must be i64 or i32");
            }
        }
        if (node.output(0).type() != type) {
            throw new IrException(node, "computes " + type.irName() + " but the output port is declared "
                    + node.output(0).type().irName());
        }
        return type;
    }
}
