package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** face-detection-retail-0004_omz2021.2 FP16-INT8, compiled by the lowbit processor into FaceDetectionRetail0004Omz20212Fp16Int8Model. */
@CompiledModel("face-detection-retail-0004_omz2021.2/FP16-INT8/face-detection-retail-0004.xml")
public interface FaceDetectionRetail0004Omz20212Fp16Int8 {
    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */
    float[] detect(float[] data);
}
