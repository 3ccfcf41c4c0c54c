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
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        InputArity.exactly(node, inputs, 2);
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        int rank = x.rank();
        if (rank < 3 || rank > 5) {
            throw new IrException(node, "input must have rank 3 to 5, got " + Arrays.toString(x.shape()));
        }
        if (w.rank() != rank + 1) {
            throw new IrException(node, "weights " + Arrays.toString(w.shape()) + " must have rank " + (rank + 1)
                    + " ([G, Cout/G, Cin/G, kernel...]) for input " + Arrays.toString(x.shape()));
        }
        int groups = w.dim(0);
        int inPerGroup = w.dim(2);
        if ((long) groups * inPerGroup != x.dim(1)) {
            throw new IrException(node, "weights " + Arrays.toString(w.shape()) + " expect " + groups + " groups of "
                    + inPerGroup + " input channels, the input " + Arrays.toString(x.shape()) + " has " + x.dim(1));
        }
        int outPerGroup = w.dim(1);
        WindowAttributes attrs = WindowAttributes.convolution(node, rank - 2);
        ConvGeometry g = ConvGeometry.forward(node, attrs, SpatialShape.tail(x.shape(), 2),
                SpatialShape.tail(w.shape(), 3));
        double[] out = ConvolutionKernel.convolve(x.toDoubleArray(), w.toDoubleArray(), x.dim(0), groups, inPerGroup,
                outPerGroup, g);
        int[] shape = SpatialShape.join(x.dim(0), groups * outPerGroup, g.outputSpatial());
        return new Tensor[] {Tensor.of(x.type(), shape, out)};
    }
}
