package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * GroupConvolution-1: input [N, G * Cin/G, spatial...], weights [G, Cout/G, Cin/G, kernel...]; group g
 * convolves input channels [g * Cin/G, (g + 1) * Cin/G) into output channels [g * Cout/G, (g + 1) * Cout/G).
 * Depthwise convolution is the case Cin/G = 1. Stateless, thread-safe.
 */
final class GroupConvolutionOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        ConvGeometry g = geometry(node, x.shape(), w.shape());
        int groups = w.dim(0);
        int inPerGroup = w.dim(2);
        int outPerGroup = w.dim(1);
        double[] out = ConvolutionKernel.convolve(x.toDoubleArray(), w.toDoubleArray(), x.dim(0), groups, inPerGroup,
                outPerGroup, g);
        int[] shape = SpatialShape.join(x.dim(0), groups * outPerGroup, g.outputSpatial());
        return new Tensor[] {Tensor.of(x.type(), shape, out)};
    }

    /** The output shape for input and weight shapes {@code x}, {@code w}; an IrException if they do not fit. */
    static int[] outputShape(Node node, int[] x, int[] w) {
        int[] spatial = geometry(node, x, w).outputSpatial(); // validates the ranks before x and w are indexed
        return SpatialShape.join(x[0], w[0] * w[1], spatial);
    }

    private static ConvGeometry geometry(Node node, int[] x, int[] w) {
        int rank = x.length;
        if (rank < 3 || rank > 5) {
            throw new IrException(node, "input must have rank 3 to 5, got " + Arrays.toString(x));
        }
        if (w.length != rank + 1) {
            throw new IrException(node, "weights " + Arrays.toString(w) + " must have rank " + (rank + 1)
                    + " ([G, Cout/G, Cin/G, kernel...]) for input " + Arrays.toString(x));
        }
        if ((long) w[0] * w[2] != x[1]) {
            throw new IrException(node, "weights " + Arrays.toString(w) + " expect " + w[0] + " groups of "
                    + w[2] + " input channels, the input " + Arrays.toString(x) + " has " + x[1]);
        }
        WindowAttributes attrs = WindowAttributes.convolution(node, rank - 2);
        return ConvGeometry.forward(node, attrs, SpatialShape.tail(x, 2), SpatialShape.tail(w, 3));
    }
}
