package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** landmarks-regression-retail-0009_omz2021.2 FP16, the float variant, for Int8VsFp32Models. */
@CompiledModel(value = "landmarks-regression-retail-0009_omz2021.2/FP16/landmarks-regression-retail-0009.xml")
public interface LandmarksRegressionRetail0009Omz20212Fp16 {}
