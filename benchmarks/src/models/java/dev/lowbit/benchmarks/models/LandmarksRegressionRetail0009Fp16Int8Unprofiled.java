package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/**
 * The same IR as {@link LandmarksRegressionRetail0009Fp16Int8} compiled without any profiling code: the baseline
 * {@link ProfilingOverhead} compares the Profiled class with, profiling off and on.
 */
@CompiledModel(value = "landmarks-regression-retail-0009/FP16-INT8/landmarks-regression-retail-0009.xml",
        profiling = false)
public interface LandmarksRegressionRetail0009Fp16Int8Unprofiled {
    float[] landmarks(float[] image);
}
