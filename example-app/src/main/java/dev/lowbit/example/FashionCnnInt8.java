package dev.lowbit.example;

import dev.lowbit.CompiledModel;

/**
 * The same classifier after the project's post-training quantization: INT8 IR (FakeQuantize + i8 weights). The
 * generated {@code FashionCnnInt8Model} is not thread-safe (one instance per thread, or an {@code InferencePool}).
 */
@CompiledModel("models/fashion-mnist/fashion-cnn-int8.xml")
public interface FashionCnnInt8 {
    /** Pixels / 255 of one 28x28 image, row-major; returns the 10 class probabilities. */
    float[] classify(float[] input);
}
