package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** landmarks-regression-retail-0009_omz2021.3 FP32, the float variant, for Int8VsFp32Models. */
@CompiledModel(value = "landmarks-regression-retail-0009_omz2021.3/FP32/landmarks-regression-retail-0009.xml")
public interface LandmarksRegressionRetail0009Omz20213Fp32 {}
