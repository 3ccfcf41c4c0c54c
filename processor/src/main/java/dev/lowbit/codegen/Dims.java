package dev.lowbit.codegen;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;

/** Shape arithmetic shared by the emitters (products of dims, axis normalization, rank checks). Stateless. */
final class Dims {
    private Dims() {}

    static int product(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= shape[i];
        }
        return p;
    }

    static int size(int[] shape) {
        return product(shape, 0, shape.length);
    }

    static int axis(Node node, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IrException(node, "axis " + axis + " is outside rank " + rank);
        }
        return (int) a;
    }

    static void requireRank(Node node, String what, int[] shape, int rank) {
        if (shape.length != rank) {
            throw new IrException(node, what + " has rank " + shape.length + " (" + java.util.Arrays.toString(shape)
                    + "); the fp32 kernel supports rank " + rank + " (2-D NCHW) only");
        }
    }

    static String floatLiteral(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) {
            return "Float.NaN";
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
        }
        return Float.toString(f) + "f";
    }

    /**
     * The single axis of {@code outRank} along which {@code shape} (right-aligned, numpy rules) varies, -1 when
     * it is all ones, -2 when it varies along more than one axis.
     */
    static int singleAxis(int[] shape, int outRank) {
        int axis = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                if (axis != -1) {
                    return -2;
                }
                axis = outRank - shape.length + i;
            }
        }
        return axis;
    }

    /** Row-major strides of {@code shape} right-aligned in {@code outShape}, 0 on broadcast axes, padded to rank 6. */
    static int[] broadcastStrides6(int[] shape, int[] outShape) {
        int[] s = new int[6];
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            int pos = 6 - (shape.length - i);
            s[pos] = shape[i] == 1 && outShape[outShape.length - (shape.length - i)] != 1 ? 0 : stride;
            stride *= shape[i];
        }
        return s;
    }

    static int[] pad6(int[] shape) {
        int[] s = {1, 1, 1, 1, 1, 1};
        System.arraycopy(shape, 0, s, 6 - shape.length, shape.length);
        return s;
    }
}
