package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** person-detection-retail-0013 FP16, compiled by the lowbit processor into PersonDetectionRetail0013Fp16Model. */
@CompiledModel("person-detection-retail-0013/FP16/person-detection-retail-0013.xml")
public interface PersonDetectionRetail0013Fp16 {
    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */
    float[] detect(float[] data);
}
