package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** text-image-super-resolution-0001 FP32, compiled by the lowbit processor into TextImageSuperResolution0001Fp32Model. */
@CompiledModel("text-image-super-resolution-0001/FP32/text-image-super-resolution-0001.xml")
public interface TextImageSuperResolution0001Fp32 {
    float[] upscale(float[] image);
}
