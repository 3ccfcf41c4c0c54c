package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * Gather (opset1, 7, 8): takes slices of {@code data} along {@code axis} (input 2, negative allowed) at the
 * positions in {@code indices}. The output shape is {@code data[:axis] + indices[batch_dims:] +
 * data[axis+1:]}. Gather-7 and 8 have {@code batch_dims} (negative counts from the indices' rank): the first
 * batch_dims dimensions of data and indices are paired instead of crossed. Gather-8 takes negative indices
 * (counted from the end) and fills zeros for indices outside {@code [-dim, dim)}, as its spec says; for
 * Gather-1 and 7 the spec only allows {@code [0, dim)} and anything else is an error. Stateless,
 * thread-safe.
 */
final class GatherOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(3);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor data = in[0];
        int[] dataShape = data.shape();
        int[] indicesShape = in[1].shape();
        long[] indices = OpInputs.integers(node, in[1], "indices");
        int axis = Axes.normalize(node, OpInputs.scalarInteger(node, in[2], "axis"), data.rank(), "axis");
        int batchDims = batchDims(node, dataShape, indicesShape, axis);

        int batch = Shapes.size(Arrays.copyOfRange(dataShape, 0, batchDims));
        int outer = Shapes.size(Arrays.copyOfRange(dataShape, batchDims, axis));
        int inner = Shapes.size(Arrays.copyOfRange(dataShape, axis + 1, dataShape.length));
        int perBatch = Shapes.size(Arrays.copyOfRange(indicesShape, batchDims, indicesShape.length));
        int axisDim = dataShape[axis];

        int[] outShape = outputShape(dataShape, indicesShape, axis, batchDims);
        double[] out = new double[Shapes.size(outShape)]; // zeros where an index is out of range (Gather-8)
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < perBatch; i++) {
                    long idx = checkedIndex(node, indices[b * perBatch + i], axisDim);
                    if (idx < 0) {
                        continue;
                    }
                    int src = ((b * outer + o) * axisDim + (int) idx) * inner;
                    int dst = ((b * outer + o) * perBatch + i) * inner;
                    for (int j = 0; j < inner; j++) {
                        out[dst + j] = data.get(src + j);
                    }
                }
            }
        }
        return new Tensor[] {Tensor.of(node.output(0).type(), outShape, out)};
    }

    /** The output shape for data and indices of these shapes and the axis tensor. */
    static int[] outputShape(Node node, int[] dataShape, int[] indicesShape, Tensor axisTensor) {
        int axis = Axes.normalize(node, OpInputs.scalarInteger(node, axisTensor, "axis"), dataShape.length, "axis");
        return outputShape(dataShape, indicesShape, axis, batchDims(node, dataShape, indicesShape, axis));
    }

    private static int[] outputShape(int[] dataShape, int[] indicesShape, int axis, int batchDims) {
        return concat(Arrays.copyOfRange(dataShape, 0, axis), Arrays.copyOfRange(indicesShape, batchDims, indicesShape.length),
                Arrays.copyOfRange(dataShape, axis + 1, dataShape.length));
    }

    private static int batchDims(Node node, int[] dataShape, int[] indicesShape, int axis) {
        if (node.opset() < 7) {
            return 0;
        }
        long b = node.attributes().has("batch_dims") ? node.attributes().longValue("batch_dims") : 0;
        if (b < 0) {
            b += indicesShape.length;
        }
        if (b < 0 || b > Math.min(dataShape.length, indicesShape.length) || b > axis) {
            throw new IrException(node, "batch_dims " + node.attributes().string("batch_dims")
                    + " is out of range for data " + Arrays.toString(dataShape) + ", indices "
                    + Arrays.toString(indicesShape) + " and axis " + axis);
        }
        for (int d = 0; d < b; d++) {
            if (dataShape[d] != indicesShape[d]) {
                throw new IrException(node, "batch dimension " + d + " differs: data " + Arrays.toString(dataShape)
                        + ", indices " + Arrays.toString(indicesShape));
            }
        }
        return (int) b;
    }

    /** The index to read, or -1 for "write zeros" (Gather-8 out of range). */
    private static long checkedIndex(Node node, long idx, int axisDim) {
        if (node.opset() >= 8) {
            long i = idx < 0 ? idx + axisDim : idx;
            return i >= 0 && i < axisDim ? i : -1;
        }
        if (idx < 0 || idx >= axisDim) {
            throw new IrException(node, "index " + idx + " is outside [0, " + axisDim + ") (Gather-"
                    + node.opset() + " does not define negative or out-of-range indices)");
        }
        return idx;
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
