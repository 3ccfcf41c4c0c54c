package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/**
 * face-detection-retail-0004 FP16-INT8, compiled by the lowbit processor into FaceDetectionRetail0004Fp16Int8Model.
 * The generated class is not thread-safe: one instance per thread, or an InferencePool.
 */
@CompiledModel("face-detection-retail-0004/FP16-INT8/face-detection-retail-0004.xml")
public interface FaceDetectionRetail0004Fp16Int8 {
    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */
    float[] detect(float[] data);
}
