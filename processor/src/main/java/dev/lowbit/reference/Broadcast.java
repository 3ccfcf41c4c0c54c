package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Numpy broadcasting as OpenVINO's {@code auto_broadcast} attribute defines it: "numpy" (the default) aligns
 * shapes at the right and stretches dimensions of 1, "none" requires identical shapes. ("pdpd" is not
 * used by the models and is rejected.) Stateless, thread-safe.
 */
final class Broadcast {
    private Broadcast() {}

    /** The broadcast shape of the given operand shapes under the node's {@code auto_broadcast} attribute. */
    static int[] outputShape(Node node, int[]... shapes) {
        String mode = node.attributes().string("auto_broadcast", "numpy").toLowerCase(Locale.ROOT);
        switch (mode) {
            case "numpy" -> {
                int[] out = shapes[0];
                for (int i = 1; i < shapes.length; i++) {
                    out = numpy(node, out, shapes[i]);
                }
                return out;
            }
            case "none" -> {
                for (int[] s : shapes) {
                    if (!Arrays.equals(s, shapes[0])) {
                        throw new IrException(node, "auto_broadcast='none' needs equal input shapes, got "
                                + describe(shapes));
                    }
                }
                return shapes[0].clone();
            }
            case "pdpd" -> throw new IrException(node, "auto_broadcast='pdpd' is not supported");
            default -> throw node.attributes().error("attribute 'auto_broadcast'='" + mode
                    + "' is not one of numpy, none, pdpd");
        }
    }

    /** The numpy broadcast of two shapes: aligned at the right, a dimension of 1 stretches to the other. */
    static int[] numpy(Node node, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            int da = dimFromRight(a, rank - 1 - d);
            int db = dimFromRight(b, rank - 1 - d);
            if (da == db || db == 1) {
                out[d] = da;
            } else if (da == 1) {
                out[d] = db;
            } else {
                throw new IrException(node, "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast (numpy rules)");
            }
        }
        return out;
    }

    /**
     * Strides that read an operand of shape {@code in} while walking the broadcast shape {@code out}: 0 for
     * dimensions the operand lacks or has as 1.
     */
    static int[] strides(int[] in, int[] out) {
        int[] own = Shapes.strides(in);
        int[] s = new int[out.length];
        int shift = out.length - in.length;
        for (int d = shift; d < out.length; d++) {
            s[d] = in[d - shift] == 1 ? 0 : own[d - shift];
        }
        return s;
    }

    private static int dimFromRight(int[] shape, int fromRight) {
        int i = shape.length - 1 - fromRight;
        return i >= 0 ? shape[i] : 1;
    }

    private static String describe(int[][] shapes) {
        StringBuilder sb = new StringBuilder();
        for (int[] s : shapes) {
            sb.append(sb.length() == 0 ? "" : ", ").append(Arrays.toString(s));
        }
        return sb.toString();
    }
}
