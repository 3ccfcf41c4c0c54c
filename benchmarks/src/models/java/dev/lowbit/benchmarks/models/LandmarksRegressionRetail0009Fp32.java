package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/**
 * landmarks-regression-retail-0009 FP32, compiled by the lowbit processor into LandmarksRegressionRetail0009Fp32Model.
 * The generated class is not thread-safe: one instance per thread, or an InferencePool.
 */
@CompiledModel("landmarks-regression-retail-0009/FP32/landmarks-regression-retail-0009.xml")
public interface LandmarksRegressionRetail0009Fp32 {
    /** Five (x, y) landmarks; the model's output is named "95", whose Java name is _95. */
    float[] landmarks(float[] image);
}
