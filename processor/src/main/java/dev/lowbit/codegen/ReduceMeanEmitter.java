package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;

/** ReduceMean over a contiguous run of axes (known at build time) as one call of {@code Reductions.mean}. */
final class ReduceMeanEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "Reductions");

    @Override
    public void check(Node n, Graph g) {
        axes(n, g.node(n.input(1).node()).constant(), g.port(n.input(0)).rank());
    }

    private static int[] axes(Node n, Tensor axes, int rank) {
        if (axes == null) {
            throw new IrException(n, "the reduction axes are computed at run time; only constant axes are supported");
        }
        int[] a = new int[axes.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = Dims.axis(n, (long) axes.get(i), rank);
        }
        Arrays.sort(a);
        for (int i = 1; i < a.length; i++) {
            if (a[i] != a[i - 1] + 1) {
                throw new IrException(n, "reduction axes " + Arrays.toString(a) + " are not contiguous; not supported");
            }
        }
        return a;
    }

    @Override
    public CodeBlock emit(StepContext c) {
        int[] x = c.inShape(0);
        int[] a = axes(c.node(), c.constant(1), x.length);
        int first = a.length == 0 ? x.length : a[0];
        int last = a.length == 0 ? x.length : a[a.length - 1] + 1;
        c.report("Reductions.mean", 0);
        return CodeBlock.of("$T.mean($L, $L, $L, $L, $L);\n", KERNEL, c.in(0), c.out(0), Dims.product(x, 0, first),
                Dims.product(x, first, last), Dims.product(x, last, x.length));
    }
}
