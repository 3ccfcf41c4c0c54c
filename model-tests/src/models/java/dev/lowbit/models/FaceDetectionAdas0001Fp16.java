package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** face-detection-adas-0001 FP16, compiled by the lowbit processor into FaceDetectionAdas0001Fp16Model. */
@CompiledModel("face-detection-adas-0001/FP16/face-detection-adas-0001.xml")
public interface FaceDetectionAdas0001Fp16 {
    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */
    float[] detect(float[] data);
}
