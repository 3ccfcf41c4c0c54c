package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** face-detection-retail-0004_omz2021.2 FP16-INT8 on the int8 path (the default), for Int8VsFp32Models. */
@CompiledModel(value = "face-detection-retail-0004_omz2021.2/FP16-INT8/face-detection-retail-0004.xml")
public interface FaceDetectionRetail0004Omz20212Fp16Int8 {}
