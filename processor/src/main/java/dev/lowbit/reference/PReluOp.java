package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * PReLU (opset1): {@code x < 0 ? x * slope : x}. A 1-D slope whose length equals the channel dimension
 * (axis 1, or axis 0 for 1-D data) applies per channel; any other slope shape broadcasts numpy-style. This
 * is the rule of OpenVINO's reference implementation. Stateless, thread-safe.
 */
final class PReluOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor x = in[0];
        Tensor slope = in[1];
        int[] slopeShape = slope.shape();
        int channelAxis = x.rank() > 1 ? 1 : 0;
        if (slopeShape.length == 1 && x.rank() > 0 && x.dim(channelAxis) == slopeShape[0]) {
            int[] perChannel = new int[x.rank()];
            Arrays.fill(perChannel, 1);
            perChannel[channelAxis] = slopeShape[0];
            slopeShape = perChannel;
        }
        int[] shape = Broadcast.numpy(node, x.shape(), slopeShape);
        if (!Arrays.equals(shape, x.shape())) {
            throw new IrException(node, "slope of shape " + Arrays.toString(slope.shape())
                    + " would broadcast the data " + Arrays.toString(x.shape()) + " to " + Arrays.toString(shape));
        }
        double[] out = new double[Shapes.size(shape)];
        StridedWalk walk = StridedWalk.of(shape, Broadcast.strides(slopeShape, shape));
        for (int i = 0; i < out.length; i++) {
            double v = x.get(i);
            out[i] = v < 0 ? v * slope.get(walk.offset(0)) : v;
            walk.advance();
        }
        return new Tensor[] {Tensor.of(node.output(0).type(), shape, out)};
    }
}
