package dev.lowbit.graph;

import dev.lowbit.ir.ElementType;
import java.util.Arrays;

/**
 * An immutable dense tensor: element type, static shape and row-major values held as doubles. Values are
 * normalized to the element type on construction (floating types are rounded to f32, the precision the
 * reference evaluator computes in, as OpenVINO's CPU plugin does for f16 models). Thread-safe.
 */
public final class Tensor {
    private final ElementType type;
    private final int[] shape;
    private final double[] values;

    private Tensor(ElementType type, int[] shape, double[] values) {
        this.type = type;
        this.shape = shape;
        this.values = values;
    }

    /** Takes ownership of {@code values} and normalizes them in place to {@code type}. */
    public static Tensor of(ElementType type, int[] shape, double[] values) {
        int expected = Shapes.size(shape);
        if (values.length != expected) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs "
                    + expected + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = type.normalize(values[i]);
        }
        return new Tensor(type, shape.clone(), values);
    }

    public static Tensor f32(int[] shape, float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return of(ElementType.F32, shape, d);
    }

    public static Tensor scalar(ElementType type, double value) {
        return of(type, new int[0], new double[] {value});
    }

    public ElementType type() {
        return type;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return values.length;
    }

    public double get(int flatIndex) {
        return values[flatIndex];
    }

    /** A copy of the values. */
    public double[] toDoubleArray() {
        return values.clone();
    }

    public float[] toFloatArray() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    /** Values as longs (for shape and index tensors). */
    public long[] toLongArray() {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (long) values[i];
        }
        return l;
    }

    public int[] toIntArray() {
        int[] r = new int[values.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.toIntExact((long) values[i]);
        }
        return r;
    }

    /** Same values, another shape with the same element count. */
    public Tensor reshape(int[] newShape) {
        if (Shapes.size(newShape) != values.length) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to "
                    + Arrays.toString(newShape));
        }
        return new Tensor(type, newShape.clone(), values);
    }

    /** Same values converted to another element type (as the Convert op does). */
    public Tensor convert(ElementType to) {
        return of(to, shape, values.clone());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(type.irName()).append(Arrays.toString(shape)).append(" [");
        int n = Math.min(values.length, 8);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return sb.append(values.length > n ? ", ...]" : "]").toString();
    }
}
