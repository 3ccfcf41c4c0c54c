package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** head-pose-estimation-adas-0001 FP16-INT8 compiled on the fp32 path (FakeQuantize executed literally), for Int8VsFp32Models. */
@CompiledModel(value = "head-pose-estimation-adas-0001/FP16-INT8/head-pose-estimation-adas-0001.xml", precision = "fp32")
public interface HeadPoseEstimationAdas0001Fp16Int8AsFp32 {}
