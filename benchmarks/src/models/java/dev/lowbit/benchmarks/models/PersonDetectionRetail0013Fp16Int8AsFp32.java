package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** person-detection-retail-0013 FP16-INT8 compiled on the fp32 path (FakeQuantize executed literally), for Int8VsFp32Models. */
@CompiledModel(value = "person-detection-retail-0013/FP16-INT8/person-detection-retail-0013.xml", precision = "fp32")
public interface PersonDetectionRetail0013Fp16Int8AsFp32 {}
