package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** landmarks-regression-retail-0009_omz2021.3 FP16-INT8 compiled on the fp32 path (FakeQuantize executed literally), for Int8VsFp32Models. */
@CompiledModel(value = "landmarks-regression-retail-0009_omz2021.3/FP16-INT8/landmarks-regression-retail-0009.xml", precision = "fp32")
public interface LandmarksRegressionRetail0009Omz20213Fp16Int8AsFp32 {}
