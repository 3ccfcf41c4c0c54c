package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;

/** Concat (one copy per input) and Transpose (a strided gather with build-time steps). Stateless. */
final class DataMovementEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "DataMovement");

    @Override
    public void check(Node n, Graph g) {
        if (n.is("Transpose")) {
            int rank = g.port(n.input(0)).rank();
            if (rank > 6) {
                throw new IrException(n, "Transpose of rank " + rank + " is above the supported 6");
            }
            perm(n, g.node(n.input(1).node()).constant(), rank);
        }
    }

    private static int[] perm(Node n, Tensor perm, int rank) {
        if (perm == null) {
            throw new IrException(n, "the permutation is computed at run time; only a constant one is supported");
        }
        int[] p = new int[perm.size() == 0 ? rank : perm.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = perm.size() == 0 ? rank - 1 - i : Dims.axis(n, (long) perm.get(i), rank);
        }
        return p;
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        int[] y = c.outShape(0);
        if (n.is("Transpose")) {
            int[] x = c.inShape(0);
            int[] p = perm(n, c.constant(1), x.length);
            int[] step = new int[6];
            for (int d = 0; d < p.length; d++) {
                step[6 - p.length + d] = Dims.product(x, p[d] + 1, x.length);
            }
            c.report("DataMovement.gather6", 0);
            return CodeBlock.of("$T.gather6($L, $L, $L, $L);\n", KERNEL, c.in(0), c.out(0),
                    c.ints("shape", Dims.pad6(y)), c.ints("steps", step));
        }
        int axis = Dims.axis(n, n.attributes().longValue("axis"), y.length);
        int outer = Dims.product(y, 0, axis);
        int outChunk = Dims.product(y, axis, y.length);
        CodeBlock.Builder b = CodeBlock.builder();
        int offset = 0;
        for (int i = 0; i < n.inputs().size(); i++) {
            int chunk = Dims.product(c.inShape(i), axis, y.length);
            b.addStatement("$T.concatPart($L, $L, $L, $L, $L, $L)", KERNEL, c.in(i), c.out(0), outer, chunk, outChunk,
                    offset);
            offset += chunk;
        }
        c.report("DataMovement.concatPart", 0);
        return b.build();
    }
}
