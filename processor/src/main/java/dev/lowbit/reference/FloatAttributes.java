package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;

/**
 * Reads float-typed attributes (OpenVINO stores them as C++ float, so values are rounded to f32 here exactly
 * as the op would see them). Stateless, thread-safe.
 */
final class FloatAttributes {
    private FloatAttributes() {}

    /** A comma-separated list; absent or empty is an empty list. */
    static float[] list(Node node, String key) {
        if (!node.attributes().has(key)) {
            return new float[0];
        }
        double[] d = node.attributes().doubles(key);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    static float scalar(Node node, String key, float defaultValue) {
        return (float) node.attributes().doubleValue(key, defaultValue);
    }

    static float required(Node node, String key) {
        if (!node.attributes().has(key)) {
            throw new IrException(node, "missing attribute '" + key + "'");
        }
        return (float) node.attributes().doubleValue(key);
    }
}
