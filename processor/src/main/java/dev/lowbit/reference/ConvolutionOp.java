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
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        InputArity.exactly(node, inputs, 2);
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        int rank = x.rank();
        if (rank < 3 || rank > 5) {
            throw new IrException(node, "input must have rank 3 to 5, got " + Arrays.toString(x.shape()));
        }
        if (w.rank() != rank) {
            throw new IrException(node, "weights " + Arrays.toString(w.shape()) + " must have the input's rank "
                    + rank + " (input " + Arrays.toString(x.shape()) + ")");
        }
        if (w.dim(1) != x.dim(1)) {
            throw new IrException(node, "weights " + Arrays.toString(w.shape()) + " expect " + w.dim(1)
                    + " input channels, the input " + Arrays.toString(x.shape()) + " has " + x.dim(1));
        }
        WindowAttributes attrs = WindowAttributes.convolution(node, rank - 2);
        ConvGeometry g = ConvGeometry.forward(node, attrs, SpatialShape.tail(x.shape(), 2),
                SpatialShape.tail(w.shape(), 2));
        double[] out = ConvolutionKernel.convolve(x.toDoubleArray(), w.toDoubleArray(), x.dim(0), 1, x.dim(1),
                w.dim(0), g);
        return new Tensor[] {Tensor.of(x.type(), SpatialShape.join(x.dim(0), w.dim(0), g.outputSpatial()), out)};
    }
}
