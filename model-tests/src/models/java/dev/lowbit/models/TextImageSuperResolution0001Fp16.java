package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** text-image-super-resolution-0001 FP16, compiled by the lowbit processor into TextImageSuperResolution0001Fp16Model. */
@CompiledModel("text-image-super-resolution-0001/FP16/text-image-super-resolution-0001.xml")
public interface TextImageSuperResolution0001Fp16 {
    float[] upscale(float[] image);
}
