package dev.lowbit.runtime;

import java.util.Arrays;

/**
 * The name, static shape and element type of one model input or output, as the IR declares it. Values
 * cross the {@link InferenceModel} API as flat row-major {@code float[]} of {@link #size()} elements
 * whatever the element type (f16 models compute in fp32). Immutable, thread-safe.
 *
 * @param name        the IR name (Parameter name, or Result name without "/sink_port_N")
 * @param shape       the dimensions, outermost first
 * @param elementType the IR element type name ("f32", "f16", ...)
 */
public record TensorSpec(String name, int[] shape, String elementType) {
    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements: the length a flat array of this tensor must have. */
    public int size() {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && Arrays.equals(t.shape, shape)
                && t.elementType.equals(elementType);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "'" + name + "' " + elementType + Arrays.toString(shape);
    }
}
