package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** face-detection-retail-0004 FP16, compiled by the lowbit processor into FaceDetectionRetail0004Fp16Model. */
@CompiledModel("face-detection-retail-0004/FP16/face-detection-retail-0004.xml")
public interface FaceDetectionRetail0004Fp16 {
    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */
    float[] detect(float[] data);
}
