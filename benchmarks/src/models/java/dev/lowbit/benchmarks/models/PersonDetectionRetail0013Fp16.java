package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** person-detection-retail-0013 FP16, the float variant, for Int8VsFp32Models. */
@CompiledModel(value = "person-detection-retail-0013/FP16/person-detection-retail-0013.xml")
public interface PersonDetectionRetail0013Fp16 {}
