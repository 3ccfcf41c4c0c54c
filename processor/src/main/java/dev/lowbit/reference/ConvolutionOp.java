package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Convolution-1: input [N, C, spatial...] (1 to 3 spatial axes), weights [Cout, C, kernel...], attributes
 * strides, dilations, pads_begin, pads_end, auto_pad. Stateless, thread-safe.
 */
final class ConvolutionOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        ConvGeometry g = geometry(node, x.shape(), w.shape());
        double[] out = ConvolutionKernel.convolve(x.toDoubleArray(), w.toDoubleArray(), x.dim(0), 1, x.dim(1),
                w.dim(0), g);
        return new Tensor[] {Tensor.of(x.type(), SpatialShape.join(x.dim(0), w.dim(0), g.outputSpatial()), out)};
    }

    /** The output shape for input and weight shapes {@code x}, {@code w}; an IrException if they do not fit. */
    static int[] outputShape(Node node, int[] x, int[] w) {
        int[] spatial = geometry(node, x, w).outputSpatial(); // validates the ranks before x[0] and w[0] are read
        return SpatialShape.join(x[0], w[0], spatial);
    }

    private static ConvGeometry geometry(Node node, int[] x, int[] w) {
        int rank = x.length;
        if (rank < 3 || rank > 5) {
            throw new IrException(node, "input must have rank 3 to 5, got " + Arrays.toString(x));
        }
        if (w.length != rank) {
            throw new IrException(node, "weights " + Arrays.toString(w) + " must have the input's rank "
                    + rank + " (input " + Arrays.toString(x) + ")");
        }
        if (w[1] != x[1]) {
            throw new IrException(node, "weights " + Arrays.toString(w) + " expect " + w[1]
                    + " input channels, the input " + Arrays.toString(x) + " has " + x[1]);
        }
        WindowAttributes attrs = WindowAttributes.convolution(node, rank - 2);
        return ConvGeometry.forward(node, attrs, SpatialShape.tail(x, 2), SpatialShape.tail(w, 2));
    }
}
