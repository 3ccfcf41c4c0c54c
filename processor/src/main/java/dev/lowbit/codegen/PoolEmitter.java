package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;

/** MaxPool and AvgPool (2-D, NCHW) as one call of {@code Pooling.maxPool} / {@code avgPool}. Stateless. */
final class PoolEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "Pooling");

    @Override
    public void check(Node n, Graph g) {
        Dims.requireRank(n, "the input", g.port(n.input(0)).shape(), 4);
        Spatial.ints2(n, "kernel", 1);
        if (n.attributes().has("dilations")) {
            for (double d : n.attributes().doubles("dilations")) {
                if (d != 1) {
                    throw new dev.lowbit.ir.IrException(n, "pooling with dilation " + d + " is not supported");
                }
            }
        }
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        int[] x = c.inShape(0);
        int[] y = c.outShape(0);
        int[] k = Spatial.ints2(n, "kernel", 1);
        int[] s = Spatial.ints2(n, "strides", 1);
        int[] p = Spatial.padsBegin(n, x, y, k, s, new int[] {1, 1});
        if (n.is("MaxPool")) {
            c.report("Pooling.maxPool", 0);
            return CodeBlock.builder()
                    .addStatement("$T.maxPool($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", KERNEL, c.in(0),
                            c.out(0), x[0] * x[1], x[2], x[3], y[2], y[3], k[0], k[1], s[0], s[1], p[0], p[1])
                    .build();
        }
        int[] pe = Spatial.padsEnd(n, x, y, k, s, new int[] {1, 1});
        boolean exclude = n.attributes().bool("exclude-pad", false);
        c.report("Pooling.avgPool", 0);
        return CodeBlock.builder()
                .addStatement("$T.avgPool($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", KERNEL,
                        c.in(0), c.out(0), x[0] * x[1], x[2], x[3], y[2], y[3], k[0], k[1], s[0], s[1], p[0], p[1],
                        pe[0], pe[1], exclude)
                .build();
    }
}
