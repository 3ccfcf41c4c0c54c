package dev.lowbit.example;

import dev.lowbit.CompiledModel;

/**
 * The project's own Fashion-MNIST classifier, FP32 IR, compiled to Java at build time. The generated
 * {@code FashionCnnFp32Model} is not thread-safe (one instance per thread, or an {@code InferencePool}).
 */
@CompiledModel("models/fashion-mnist/fashion-cnn-fp32.xml")
public interface FashionCnnFp32 {
    /** Pixels / 255 of one 28x28 image, row-major; returns the 10 class probabilities. */
    float[] classify(float[] input);
}
