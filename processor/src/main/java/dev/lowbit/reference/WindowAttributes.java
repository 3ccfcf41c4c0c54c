package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * The sliding-window attributes of one convolution or pooling node (strides, dilations, pads, auto_pad, and the
 * pooling kernel), read and checked against the node's number of spatial axes. Integer lists written as
 * "1.0,1.0" (seen in real MaxPool-8 IRs) are accepted when every element is integral, as OpenVINO's
 * stream-based parser does. Immutable.
 */
record WindowAttributes(int[] strides, int[] dilations, int[] padsBegin, int[] padsEnd, AutoPad autoPad) {

    /** Attributes of a convolution: strides and dilations required, pads default to zeros. */
    static WindowAttributes convolution(Node node, int spatialRank) {
        return new WindowAttributes(
                positive(node, "strides", spatialRank, null),
                positive(node, "dilations", spatialRank, null),
                pads(node, "pads_begin", spatialRank),
                pads(node, "pads_end", spatialRank),
                AutoPad.of(node));
    }

    /** Attributes of a pooling op; dilations default to ones (MaxPool-1 and AvgPool-1 have none). */
    static WindowAttributes pooling(Node node, int spatialRank, boolean hasDilations) {
        int[] ones = new int[spatialRank];
        Arrays.fill(ones, 1);
        return new WindowAttributes(
                positive(node, "strides", spatialRank, null),
                hasDilations ? positive(node, "dilations", spatialRank, ones) : ones,
                pads(node, "pads_begin", spatialRank),
                pads(node, "pads_end", spatialRank),
                AutoPad.of(node));
    }

    /** The pooling kernel ("kernel" attribute), one positive size per spatial axis. */
    static int[] kernel(Node node, int spatialRank) {
        return positive(node, "kernel", spatialRank, null);
    }

    /** A list of non-negative integers with one element per spatial axis (e.g. output_padding), zeros if absent. */
    static int[] nonNegative(Node node, String key, int spatialRank) {
        return pads(node, key, spatialRank);
    }

    private static int[] positive(Node node, String key, int spatialRank, int[] defaultValue) {
        if (!node.attributes().has(key) && defaultValue != null) {
            return defaultValue.clone();
        }
        int[] v = integral(node, key);
        requireLength(node, key, v, spatialRank);
        for (int x : v) {
            if (x <= 0) {
                throw new IrException(node, "attribute '" + key + "'=" + Arrays.toString(v) + " must be positive");
            }
        }
        return v;
    }

    private static int[] pads(Node node, String key, int spatialRank) {
        if (!node.attributes().has(key)) {
            return new int[spatialRank];
        }
        int[] v = integral(node, key);
        if (v.length == 0) {
            return new int[spatialRank];
        }
        requireLength(node, key, v, spatialRank);
        for (int x : v) {
            if (x < 0) {
                throw new IrException(node, "attribute '" + key + "'=" + Arrays.toString(v)
                        + " has a negative element, which is not supported");
            }
        }
        return v;
    }

    private static int[] integral(Node node, String key) {
        double[] d = node.attributes().doubles(key);
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            if (d[i] != Math.rint(d[i]) || Math.abs(d[i]) > Integer.MAX_VALUE) {
                throw new IrException(node, "attribute '" + key + "' element " + d[i] + " is not an integer");
            }
            out[i] = (int) d[i];
        }
        return out;
    }

    private static void requireLength(Node node, String key, int[] v, int spatialRank) {
        if (v.length != spatialRank) {
            throw new IrException(node, "attribute '" + key + "'=" + Arrays.toString(v) + " has " + v.length
                    + " elements, the input has " + spatialRank + " spatial axes");
        }
    }
}
