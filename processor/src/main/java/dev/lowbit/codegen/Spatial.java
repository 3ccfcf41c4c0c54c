package dev.lowbit.codegen;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Locale;

/** The begin pads of a 2-D window op, from explicit pads or auto_pad (same_upper, same_lower, valid). Stateless. */
final class Spatial {
    private Spatial() {}

    static int[] padsBegin(Node n, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations) {
        String autoPad = n.attributes().string("auto_pad", "explicit").toLowerCase(Locale.ROOT);
        int[] pads = new int[2];
        for (int i = 0; i < 2; i++) {
            int extent = (kernel[i] - 1) * dilations[i] + 1;
            int total = Math.max((out[i + 2] - 1) * strides[i] + extent - in[i + 2], 0);
            pads[i] = switch (autoPad) {
                case "explicit", "notset", "" -> ints2(n, "pads_begin", 0)[i];
                case "valid" -> 0;
                case "same_upper" -> total / 2;
                case "same_lower" -> total - total / 2;
                default -> throw new IrException(n, "unknown auto_pad '" + autoPad + "'");
            };
        }
        return pads;
    }

    /** The end pads: explicit, or what auto_pad leaves after the begin pads. */
    static int[] padsEnd(Node n, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations) {
        String autoPad = n.attributes().string("auto_pad", "explicit").toLowerCase(Locale.ROOT);
        if (autoPad.equals("explicit") || autoPad.equals("notset") || autoPad.isEmpty()) {
            return ints2(n, "pads_end", 0);
        }
        int[] begin = padsBegin(n, in, out, kernel, strides, dilations);
        int[] end = new int[2];
        for (int i = 0; i < 2; i++) {
            int extent = (kernel[i] - 1) * dilations[i] + 1;
            int total = autoPad.equals("valid") ? 0 : Math.max((out[i + 2] - 1) * strides[i] + extent - in[i + 2], 0);
            end[i] = total - begin[i];
        }
        return end;
    }

    /** A two-element attribute ({@link dev.lowbit.graph.Attributes#ints(String, int, int)}). */
    static int[] ints2(Node n, String key, int defaultValue) {
        return n.attributes().ints(key, 2, defaultValue);
    }
}
