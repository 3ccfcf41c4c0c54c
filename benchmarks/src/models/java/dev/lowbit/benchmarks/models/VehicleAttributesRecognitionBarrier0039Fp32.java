package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/**
 * vehicle-attributes-recognition-barrier-0039 FP32, compiled by the lowbit processor into VehicleAttributesRecognitionBarrier0039Fp32Model.
 * The generated class is not thread-safe: one instance per thread, or an InferencePool.
 */
@CompiledModel("vehicle-attributes-recognition-barrier-0039/FP32/vehicle-attributes-recognition-barrier-0039.xml")
public interface VehicleAttributesRecognitionBarrier0039Fp32 {
    record Attributes(float[] color, float[] type) {}

    Attributes classify(float[] input);
}
