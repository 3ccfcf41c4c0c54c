package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** text-image-super-resolution-0001 FP16-INT8 compiled on the fp32 path (FakeQuantize executed literally), for Int8VsFp32Models. */
@CompiledModel(value = "text-image-super-resolution-0001/FP16-INT8/text-image-super-resolution-0001.xml", precision = "fp32")
public interface TextImageSuperResolution0001Fp16Int8AsFp32 {}
