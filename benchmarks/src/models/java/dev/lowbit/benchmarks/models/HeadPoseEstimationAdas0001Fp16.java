package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/**
 * head-pose-estimation-adas-0001 FP16, compiled by the lowbit processor into HeadPoseEstimationAdas0001Fp16Model.
 * The generated class is not thread-safe: one instance per thread, or an InferencePool.
 */
@CompiledModel("head-pose-estimation-adas-0001/FP16/head-pose-estimation-adas-0001.xml")
public interface HeadPoseEstimationAdas0001Fp16 {
    /** The three heads, named after the model's outputs. */
    record Angles(float[] fc_y, float[] fc_p, float[] fc_r) {}

    Angles angles(float[] data);
}
