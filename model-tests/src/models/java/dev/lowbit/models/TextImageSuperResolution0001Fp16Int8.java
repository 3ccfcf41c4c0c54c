package dev.lowbit.models;

import dev.lowbit.CompiledModel;

/** text-image-super-resolution-0001 FP16-INT8, compiled by the lowbit processor into TextImageSuperResolution0001Fp16Int8Model. */
@CompiledModel("text-image-super-resolution-0001/FP16-INT8/text-image-super-resolution-0001.xml")
public interface TextImageSuperResolution0001Fp16Int8 {
    float[] upscale(float[] image);
}
