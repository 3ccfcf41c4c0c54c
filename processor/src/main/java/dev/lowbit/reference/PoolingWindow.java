package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads the window of a MaxPool / AvgPool node (kernel, strides, dilations, pads, auto_pad, rounding_type) into
 * a {@link ConvGeometry} for its input. Only the opset1/opset8 rounding types floor and ceil are supported;
 * opset14's ceil_torch is reported as unsupported rather than approximated. Stateless, thread-safe.
 */
final class PoolingWindow {
    private PoolingWindow() {}

    static ConvGeometry of(Node node, Tensor x, boolean hasDilations) {
        return of(node, x.shape(), hasDilations);
    }

    /** The window over an input of shape {@code x}; an IrException if the attributes do not fit it. */
    static ConvGeometry of(Node node, int[] x, boolean hasDilations) {
        int rank = x.length;
        if (rank < 3 || rank > 5) {
            throw new IrException(node, "input must have rank 3 to 5, got " + Arrays.toString(x));
        }
        int spatialRank = rank - 2;
        WindowAttributes attrs = WindowAttributes.pooling(node, spatialRank, hasDilations);
        int[] kernel = WindowAttributes.kernel(node, spatialRank);
        return ConvGeometry.pooling(node, attrs, SpatialShape.tail(x, 2), kernel, ceil(node));
    }

    /** The pooled output shape of an input of shape {@code x}. */
    static int[] outputShape(Node node, int[] x, boolean hasDilations) {
        int[] spatial = of(node, x, hasDilations).outputSpatial(); // validates the rank before x is indexed
        return SpatialShape.join(x[0], x[1], spatial);
    }

    private static boolean ceil(Node node) {
        String value = node.attributes().string("rounding_type", "floor").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "floor" -> false;
            case "ceil" -> true;
            default -> throw new IrException(node, "attribute 'rounding_type'='" + value
                    + "' is not supported (floor or ceil)");
        };
    }
}
