package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** face-detection-retail-0004 FP16-INT8 compiled on the fp32 path (FakeQuantize executed literally), for Int8VsFp32Models. */
@CompiledModel(value = "face-detection-retail-0004/FP16-INT8/face-detection-retail-0004.xml", precision = "fp32")
public interface FaceDetectionRetail0004Fp16Int8AsFp32 {}
