package dev.lowbit.reference;

import java.util.Arrays;

/** Splits and joins NC[D]HW shapes: the spatial tail and a [batch, channels, spatial...] shape. Stateless. */
final class SpatialShape {
    private SpatialShape() {}

    /** The dims after the first {@code leading} ones. */
    static int[] tail(int[] shape, int leading) {
        return Arrays.copyOfRange(shape, leading, shape.length);
    }

    static int[] join(int batch, int channels, int[] spatial) {
        int[] s = new int[spatial.length + 2];
        s[0] = batch;
        s[1] = channels;
        System.arraycopy(spatial, 0, s, 2, spatial.length);
        return s;
    }
}
