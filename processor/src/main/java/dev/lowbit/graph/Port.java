package dev.lowbit.graph;

import dev.lowbit.ir.ElementType;
import java.util.Arrays;
import java.util.List;

/**
 * A port as the IR declares it: element type, static shape and tensor names (output ports only have names).
 * Immutable and thread-safe (the shape is copied).
 */
public record Port(ElementType type, int[] shape, List<String> names) {
    public Port {
        shape = shape.clone();
        names = List.copyOf(names);
    }

    public Port(ElementType type, int[] shape) {
        this(type, shape, List.of());
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return Shapes.size(shape);
    }

    public int rank() {
        return shape.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Port p && p.type == type && Arrays.equals(p.shape, shape) && p.names.equals(names);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return (type == null ? "?" : type.irName()) + Arrays.toString(shape);
    }
}
