package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;

/**
 * MatMul (rank >= 2, each operand one matrix or a full batch) as one call of {@code MatMul.matmulF32} (f32 FMA) in
 * a float model, or of the oracle-identical {@code MatMul.matmul} (double sums) in a graph that still runs
 * FakeQuantize ({@link StepContext#exactFp32()}).
 */
final class MatMulEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "MatMul");

    @Override
    public void check(Node n, Graph g) {
        int[] a = g.port(n.input(0)).shape();
        int[] b = g.port(n.input(1)).shape();
        int[] y = n.output(0).shape();
        if (a.length < 2 || b.length < 2) {
            throw new IrException(n, "MatMul of rank-1 operands is not supported (shapes "
                    + java.util.Arrays.toString(a) + ", " + java.util.Arrays.toString(b) + ")");
        }
        int batch = Dims.product(y, 0, y.length - 2);
        int ab = Dims.product(a, 0, a.length - 2);
        int bb = Dims.product(b, 0, b.length - 2);
        if ((ab != 1 && ab != batch) || (bb != 1 && bb != batch)) {
            throw new IrException(n, "MatMul batch broadcasting between " + java.util.Arrays.toString(a) + " and "
                    + java.util.Arrays.toString(b) + " is not supported");
        }
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        int[] a = c.inShape(0);
        int[] b = c.inShape(1);
        int[] y = c.outShape(0);
        boolean ta = n.attributes().bool("transpose_a", false);
        boolean tb = n.attributes().bool("transpose_b", false);
        int m = y[y.length - 2];
        int cols = y[y.length - 1];
        int k = ta ? a[a.length - 2] : a[a.length - 1];
        int batch = Dims.product(y, 0, y.length - 2);
        int aStride = Dims.product(a, 0, a.length - 2) == 1 ? 0 : m * k;
        int bStride = Dims.product(b, 0, b.length - 2) == 1 ? 0 : k * cols;
        String method = c.exactFp32() ? "matmul" : "matmulF32";
        c.report("MatMul." + method, (long) batch * m * cols * k);
        return CodeBlock.builder()
                .addStatement("$T.$L($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", KERNEL, method, c.in(0), c.in(1),
                        c.out(0), batch, m, cols, k, ta, tb, aStride, bStride)
                .build();
    }
}
