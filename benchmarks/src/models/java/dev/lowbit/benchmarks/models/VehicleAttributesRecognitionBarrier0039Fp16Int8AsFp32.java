package dev.lowbit.benchmarks.models;

import dev.lowbit.CompiledModel;

/** vehicle-attributes-recognition-barrier-0039 FP16-INT8 compiled on the fp32 path (FakeQuantize executed literally), for Int8VsFp32Models. */
@CompiledModel(value = "vehicle-attributes-recognition-barrier-0039/FP16-INT8/vehicle-attributes-recognition-barrier-0039.xml", precision = "fp32")
public interface VehicleAttributesRecognitionBarrier0039Fp16Int8AsFp32 {}
