package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** text-image-super-resolution-0001 FP16-INT8 on the int8 path (the default), for Int8VsFp32Models. */
@CompiledModel(value = "text-image-super-resolution-0001/FP16-INT8/text-image-super-resolution-0001.xml")
public interface TextImageSuperResolution0001Fp16Int8 {}
