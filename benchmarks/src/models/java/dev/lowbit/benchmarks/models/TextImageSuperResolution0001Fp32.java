package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** text-image-super-resolution-0001 FP32, the float variant, for Int8VsFp32Models. */
@CompiledModel(value = "text-image-super-resolution-0001/FP32/text-image-super-resolution-0001.xml")
public interface TextImageSuperResolution0001Fp32 {}
