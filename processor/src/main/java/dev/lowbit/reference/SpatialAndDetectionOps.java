package dev.lowbit.reference;

import java.util.Map;

/** Reference semantics of convolutions, MatMul, pooling, prior boxes and DetectionOutput. */
final class SpatialAndDetectionOps {
    private SpatialAndDetectionOps() {}

    static void registerAll(Map<String, OpEvaluator> ops) {
        // filled in by the spatial/detection work
    }
}
