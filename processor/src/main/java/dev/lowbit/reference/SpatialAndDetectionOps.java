package dev.lowbit.reference;

import java.util.Map;

/**
 * Reference semantics of convolutions, MatMul, pooling, prior boxes and DetectionOutput: registers one
 * stateless, thread-safe evaluator per IR type name (the opset version is read from the node).
 */
final class SpatialAndDetectionOps {
    private SpatialAndDetectionOps() {}

    static void registerAll(Map<String, OpEvaluator> ops) {
        ops.put("Convolution", new ConvolutionOp());
        ops.put("GroupConvolution", new GroupConvolutionOp());
        ops.put("ConvolutionBackpropData", new ConvolutionBackpropDataOp());
        ops.put("MatMul", new MatMulOp());
        ops.put("MaxPool", new MaxPoolOp());
        ops.put("AvgPool", new AvgPoolOp());
        ops.put("PriorBox", new PriorBoxOp());
        ops.put("PriorBoxClustered", new PriorBoxClusteredOp());
        ops.put("DetectionOutput", new DetectionOutputOp());
    }
}
