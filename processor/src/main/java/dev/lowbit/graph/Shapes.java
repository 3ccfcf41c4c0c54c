package dev.lowbit.graph;

import java.util.Arrays;

/** Arithmetic on static shapes (int arrays, row-major), with overflow checked. Stateless, thread-safe. */
public final class Shapes {
    /** Largest element count a tensor may have: bounded so that every array index fits in an int. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Shapes() {}

    /** Number of elements, or -1 if a dimension is negative or the product exceeds {@link #MAX_ELEMENTS}. */
    public static long elementCountOrMinusOne(long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                return -1;
            }
            if (d != 0 && n > MAX_ELEMENTS / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    public static int size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /** Row-major strides in elements. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    public static String toString(int[] shape) {
        return Arrays.toString(shape);
    }
}
