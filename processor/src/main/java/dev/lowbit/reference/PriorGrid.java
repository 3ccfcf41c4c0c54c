package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * The two inputs of PriorBox / PriorBoxClustered: the feature map's [height, width] and the image's
 * [height, width], each a 1-D integer tensor of two elements. Immutable.
 */
record PriorGrid(int height, int width, int imageHeight, int imageWidth) {

    static PriorGrid of(Node node, Tensor[] inputs) {
        int[] layer = pair(node, inputs[0], "output_size (feature map [height, width])");
        int[] image = pair(node, inputs[1], "image_size ([height, width])");
        return new PriorGrid(layer[0], layer[1], image[0], image[1]);
    }

    /** The shape of both PriorBox ops' output: [2, 4 * height * width * priorsPerCell]. */
    int[] outputShape(Node node, long priorsPerCell) {
        long boxes = 4L * height * width * priorsPerCell;
        if (boxes > Integer.MAX_VALUE / 2) {
            throw new IrException(node, "a " + height + "x" + width + " grid with " + priorsPerCell
                    + " priors per cell is too large");
        }
        return new int[] {2, (int) boxes};
    }

    private static int[] pair(Node node, Tensor t, String what) {
        if (t.type().isFloatingPoint()) {
            throw new IrException(node, what + " input must be an integer tensor, got " + t.type().irName());
        }
        if (t.size() != 2) {
            throw new IrException(node, what + " input must hold 2 values, got shape " + Arrays.toString(t.shape()));
        }
        int[] v = t.toIntArray();
        if (v[0] <= 0 || v[1] <= 0) {
            throw new IrException(node, what + " input must be positive, got " + Arrays.toString(v));
        }
        return v;
    }
}
