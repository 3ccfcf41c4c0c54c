package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** face-detection-adas-0001 FP16-INT8 on the int8 path (the default), for Int8VsFp32Models. */
@CompiledModel(value = "face-detection-adas-0001/FP16-INT8/face-detection-adas-0001.xml")
public interface FaceDetectionAdas0001Fp16Int8 {}
