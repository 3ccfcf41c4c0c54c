package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** landmarks-regression-retail-0009_omz2021.3 FP16-INT8 on the int8 path (the default), for Int8VsFp32Models. */
@CompiledModel(value = "landmarks-regression-retail-0009_omz2021.3/FP16-INT8/landmarks-regression-retail-0009.xml")
public interface LandmarksRegressionRetail0009Omz20213Fp16Int8 {}
