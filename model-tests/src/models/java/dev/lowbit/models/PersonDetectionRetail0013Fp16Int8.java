package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** person-detection-retail-0013 FP16-INT8, compiled by the lowbit processor into PersonDetectionRetail0013Fp16Int8Model. */
@CompiledModel("person-detection-retail-0013/FP16-INT8/person-detection-retail-0013.xml")
public interface PersonDetectionRetail0013Fp16Int8 {
    /** Detection rows [image, label, score, xmin, ymin, xmax, ymax]. */
    float[] detect(float[] data);
}
