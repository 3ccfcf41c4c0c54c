package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Tensor;
import java.util.Arrays;

/**
 * Expands a constant to a larger shape by numpy broadcasting (right-aligned, dims equal or 1). Stateless, so
 * thread-safe.
 */
public final class NumpyBroadcast {
    private NumpyBroadcast() {}

    static boolean broadcastable(int[] from, int[] to) {
        if (from.length > to.length) {
            return false;
        }
        int off = to.length - from.length;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 1 && from[i] != to[off + i]) {
                return false;
            }
        }
        return true;
    }

    /** The values of {@code t} broadcast to {@code target}, row-major. */
    static double[] expand(Tensor t, int[] target) {
        int[] from = t.shape();
        if (!broadcastable(from, target)) {
            throw new IllegalArgumentException("shape " + Arrays.toString(from) + " does not broadcast to "
                    + Arrays.toString(target));
        }
        int total = 1;
        for (int d : target) {
            total *= d;
        }
        double[] out = new double[total];
        int rank = target.length;
        int off = rank - from.length;
        int[] srcStride = new int[rank];
        int s = 1;
        for (int i = from.length - 1; i >= 0; i--) {
            srcStride[off + i] = from[i] == 1 ? 0 : s;
            s *= from[i];
        }
        int[] idx = new int[rank];
        int src = 0;
        for (int i = 0; i < total; i++) {
            out[i] = t.get(src);
            for (int a = rank - 1; a >= 0; a--) {
                idx[a]++;
                src += srcStride[a];
                if (idx[a] < target[a]) {
                    break;
                }
                src -= srcStride[a] * idx[a];
                idx[a] = 0;
            }
        }
        return out;
    }

    /**
     * The per-channel values of a constant that broadcasts against a tensor of {@code target} shape and varies at
     * most along {@code axis}; null when it varies along another axis or does not broadcast.
     */
    public static double[] alongAxis(Tensor t, int[] target, int axis) {
        if (!broadcastable(t.shape(), target)) {
            return null;
        }
        int[] from = t.shape();
        int off = target.length - from.length;
        for (int i = 0; i < from.length; i++) {
            if (from[i] != 1 && off + i != axis) {
                return null;
            }
        }
        double[] out = new double[target[axis]];
        boolean varies = axis - off >= 0 && from[axis - off] != 1;
        for (int c = 0; c < out.length; c++) {
            out[c] = t.get(varies ? c : 0);
        }
        return out;
    }

    /** {@link #alongAxis} as floats, as the kernels take them (the constants are f32 or f16 values: exact). */
    public static float[] alongAxisAsFloats(Tensor t, int[] target, int axis) {
        double[] v = alongAxis(t, target, axis);
        if (v == null) {
            return null;
        }
        float[] out = new float[v.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = (float) v[c];
        }
        return out;
    }
}
