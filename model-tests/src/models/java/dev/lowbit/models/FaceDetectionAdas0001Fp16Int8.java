package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** face-detection-adas-0001 FP16-INT8, compiled by the lowbit processor into FaceDetectionAdas0001Fp16Int8Model. */
@CompiledModel("face-detection-adas-0001/FP16-INT8/face-detection-adas-0001.xml")
public interface FaceDetectionAdas0001Fp16Int8 {
    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */
    float[] detect(float[] data);
}
