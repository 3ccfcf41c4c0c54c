package dev.lowbit.reference;

import dev.lowbit.reference.BinaryArithmeticOp.Kind;
import java.util.Map;

/**
 * Registers the reference semantics of the element-wise, activation, reduction, shape and FakeQuantize ops,
 * by IR type name (the registry matches names case-insensitively, so ReLU/Relu and SoftMax/Softmax are one
 * entry). Each op is a class of its own; this is only the table. Stateless, thread-safe.
 */
final class ElementwiseAndShapeOps {
    private ElementwiseAndShapeOps() {}

    static void registerAll(Map<String, OpEvaluator> ops) {
        ops.put("Convert", new ConvertOp());
        ops.put("Add", new BinaryArithmeticOp(Kind.ADD));
        ops.put("Subtract", new BinaryArithmeticOp(Kind.SUBTRACT));
        ops.put("Multiply", new BinaryArithmeticOp(Kind.MULTIPLY));
        ops.put("Divide", new BinaryArithmeticOp(Kind.DIVIDE));
        ops.put("ReLU", new ReluOp());
        ops.put("PReLU", new PReluOp());
        ops.put("Clamp", new ClampOp());
        ops.put("Sigmoid", new SigmoidOp());
        ops.put("SoftMax", new SoftMaxOp());
        ops.put("ReduceMean", new ReduceMeanOp());
        ops.put("Reshape", new ReshapeOp());
        ops.put("Squeeze", new SqueezeOp());
        ops.put("Unsqueeze", new UnsqueezeOp());
        ops.put("Transpose", new TransposeOp());
        ops.put("Concat", new ConcatOp());
        ops.put("ShapeOf", new ShapeOfOp());
        ops.put("Gather", new GatherOp());
        ops.put("StridedSlice", new StridedSliceOp());
        ops.put("Range", new RangeOp());
        ops.put("FakeQuantize", new FakeQuantizeOp());
    }
}
