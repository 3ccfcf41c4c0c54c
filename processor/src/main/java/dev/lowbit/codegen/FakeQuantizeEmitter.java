package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;

/**
 * FakeQuantize executed literally in fp32 (the int8 path of a later issue replaces it where it can): one
 * call of {@code FakeQuantize.apply} over an [outer][c][inner] view whose four ranges are per tensor or per
 * one axis.
 */
final class FakeQuantizeEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "FakeQuantize");

    @Override
    public void check(Node n, Graph g) {
        rangeAxis(n, g.port(n.input(0)).shape(), i -> g.port(n.input(i)).shape());
    }

    /** The one axis the four ranges vary along, or -1 when all are scalars. */
    private static int rangeAxis(Node n, int[] x, java.util.function.IntFunction<int[]> shapeOf) {
        int axis = -1;
        for (int i = 1; i <= 4; i++) {
            int[] r = shapeOf.apply(i);
            int a = Dims.singleAxis(r, x.length);
            if (a == -2 || (a >= 0 && axis >= 0 && a != axis)) {
                throw new IrException(n, "FakeQuantize ranges varying along several axes are not supported (input "
                        + i + " has shape " + java.util.Arrays.toString(r) + ")");
            }
            if (a >= 0) {
                axis = a;
            }
        }
        return axis;
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        int[] x = c.inShape(0);
        int axis = rangeAxis(n, x, c::inShape);
        int size = Dims.size(x);
        c.report("FakeQuantize.apply (f32, literal)", 0);
        return CodeBlock.of("$T.apply($L, $L, $L, $L, $L, $L, $L, $L, $L, $L);\n", KERNEL, c.in(0), c.out(0),
                axis < 0 ? 1 : Dims.product(x, 0, axis), axis < 0 ? 1 : x[axis],
                axis < 0 ? size : Dims.product(x, axis + 1, x.length), c.in(1), c.in(2), c.in(3), c.in(4),
                n.attributes().intValue("levels"));
    }
}
