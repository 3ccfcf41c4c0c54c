package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/**
 * MatMul-1 with OpenVINO's shape rules (matmul_shape_inference.hpp): transpose_a / transpose_b swap the last
 * two axes (ignored for 1-D operands); a 1-D first operand is a row vector and a 1-D second operand a column
 * vector, their temporary axes removed from the result; batch axes broadcast numpy-style. Each output element
 * is a dot product accumulated in double. Stateless, thread-safe.
 */
final class MatMulOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] inputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Operand left = left(node, a.shape());
        Operand right = right(node, b.shape());
        int[] batch = batch(node, a.shape(), b.shape(), left, right);
        double[] av = a.toDoubleArray();
        double[] bv = b.toDoubleArray();
        int m = left.rows;
        int n = right.cols;
        int k = left.cols;
        int batchCount = Shapes.size(batch);
        double[] out = new double[batchCount * m * n];
        int[] index = new int[batch.length];
        for (int bi = 0; bi < batchCount; bi++) {
            int aBase = left.batchOffset(index, batch.length);
            int bBase = right.batchOffset(index, batch.length);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += av[aBase + left.offset(i, p)] * bv[bBase + right.offset(p, j)];
                    }
                    out[(bi * m + i) * n + j] = sum;
                }
            }
            increment(index, batch);
        }
        return new Tensor[] {Tensor.of(a.type(), outputShape(batch, a.rank() == 1 ? -1 : m, b.rank() == 1 ? -1 : n),
                out)};
    }

    /** The output shape for operand shapes {@code a}, {@code b}; an IrException if they do not multiply. */
    static int[] outputShape(Node node, int[] a, int[] b) {
        Operand left = left(node, a);
        Operand right = right(node, b);
        int[] batch = batch(node, a, b, left, right);
        return outputShape(batch, a.length == 1 ? -1 : left.rows, b.length == 1 ? -1 : right.cols);
    }

    private static Operand left(Node node, int[] a) {
        requireNotScalar(node, a);
        return Operand.of(a, node.attributes().bool("transpose_a", false), true);
    }

    private static Operand right(Node node, int[] b) {
        requireNotScalar(node, b);
        return Operand.of(b, node.attributes().bool("transpose_b", false), false);
    }

    private static void requireNotScalar(Node node, int[] shape) {
        if (shape.length == 0) {
            throw new IrException(node, "scalars are not supported as MatMul inputs (shape " + Arrays.toString(shape)
                    + ")");
        }
    }

    /** The broadcast batch axes, after checking that the inner dimensions agree. */
    private static int[] batch(Node node, int[] a, int[] b, Operand left, Operand right) {
        if (left.cols != right.rows) {
            throw new IrException(node, "incompatible matrix dimensions: " + Arrays.toString(a)
                    + (left.transposed ? " (transposed)" : "") + " times " + Arrays.toString(b)
                    + (right.transposed ? " (transposed)" : "") + " multiplies " + left.rows + "x" + left.cols
                    + " by " + right.rows + "x" + right.cols);
        }
        return broadcastBatch(node, left.batch, right.batch);
    }

    /** One operand seen as a stack of (possibly transposed) matrices. */
    private record Operand(int[] batch, int storedRows, int storedCols, int rows, int cols, boolean transposed) {
        static Operand of(int[] s, boolean transpose, boolean isLeft) {
            if (s.length == 1) {
                // 1-D: a row vector on the left, a column vector on the right; transpose is ignored.
                return isLeft ? new Operand(new int[0], 1, s[0], 1, s[0], false)
                        : new Operand(new int[0], s[0], 1, s[0], 1, false);
            }
            int r = s[s.length - 2];
            int c = s[s.length - 1];
            int[] batch = Arrays.copyOf(s, s.length - 2);
            return transpose ? new Operand(batch, r, c, c, r, true) : new Operand(batch, r, c, r, c, false);
        }

        /** Offset of logical element (i, j) within one matrix. */
        int offset(int i, int j) {
            return transposed ? j * storedCols + i : i * storedCols + j;
        }

        /** Offset of the matrix for an output batch index, with size-1 batch axes broadcast. */
        int batchOffset(int[] outIndex, int outRank) {
            int offset = 0;
            int stride = storedRows * storedCols;
            for (int ax = batch.length - 1; ax >= 0; ax--) {
                int o = outIndex[outRank - batch.length + ax];
                offset += (batch[ax] == 1 ? 0 : o) * stride;
                stride *= batch[ax];
            }
            return offset;
        }
    }

    private static int[] broadcastBatch(Node node, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)] : 1;
            int db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IrException(node, "batch dimensions " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " do not broadcast");
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** Batch axes, then M unless the left operand was 1-D (m = -1), then N unless the right was 1-D (n = -1). */
    private static int[] outputShape(int[] batch, int m, int n) {
        int[] s = Arrays.copyOf(batch, batch.length + (m >= 0 ? 1 : 0) + (n >= 0 ? 1 : 0));
        int i = batch.length;
        if (m >= 0) {
            s[i++] = m;
        }
        if (n >= 0) {
            s[i] = n;
        }
        return s;
    }

    private static void increment(int[] index, int[] shape) {
        for (int ax = shape.length - 1; ax >= 0; ax--) {
            if (++index[ax] < shape[ax]) {
                return;
            }
            index[ax] = 0;
        }
    }
}
