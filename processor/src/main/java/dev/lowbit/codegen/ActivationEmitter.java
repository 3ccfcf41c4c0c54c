package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;

/** ReLU, Sigmoid, Clamp, PReLU and SoftMax as calls of {@code Activations}. Stateless. */
final class ActivationEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "Activations");

    @Override
    public void check(Node n, Graph g) {
        if (n.is("PReLU")) {
            slopeAxis(n, g.port(n.input(0)).shape(), g.port(n.input(1)).shape());
        }
    }

    /** The axis of x the PReLU slope runs along, -1 for one shared slope. */
    private static int slopeAxis(Node n, int[] x, int[] slope) {
        int size = Dims.size(slope);
        if (size == 1) {
            return -1;
        }
        if (slope.length == 1 && x.length >= 2 && slope[0] == x[1]) {
            return 1; // the spec: a 1-D slope runs along the channel axis
        }
        int axis = Dims.singleAxis(slope, x.length);
        if (axis < 0) {
            throw new IrException(n, "PReLU slope of shape " + java.util.Arrays.toString(slope)
                    + " varies along more than one axis; not supported");
        }
        return axis;
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        int[] x = c.inShape(0);
        int size = Dims.size(x);
        c.report("Activations." + n.type().toLowerCase(java.util.Locale.ROOT), 0);
        if (n.is("ReLU")) {
            return CodeBlock.of("$T.relu($L, $L, $L);\n", KERNEL, c.in(0), c.out(0), size);
        }
        if (n.is("Sigmoid")) {
            return CodeBlock.of("$T.sigmoid($L, $L, $L);\n", KERNEL, c.in(0), c.out(0), size);
        }
        if (n.is("Clamp")) {
            return CodeBlock.of("$T.clamp($L, $L, $L, $L, $L);\n", KERNEL, c.in(0), c.out(0), size,
                    Dims.floatLiteral(n.attributes().doubleValue("min")), Dims.floatLiteral(n.attributes().doubleValue("max")));
        }
        if (n.is("PReLU")) {
            int axis = slopeAxis(n, x, c.inShape(1));
            int outer = axis < 0 ? 1 : Dims.product(x, 0, axis);
            int ch = axis < 0 ? 1 : x[axis];
            int inner = axis < 0 ? size : Dims.product(x, axis + 1, x.length);
            return CodeBlock.of("$T.prelu($L, $L, $L, $L, $L, $L);\n", KERNEL, c.in(0), c.in(1), c.out(0), outer, ch,
                    inner);
        }
        // SoftMax
        int axis = Dims.axis(n, n.attributes().longValue("axis"), x.length);
        return CodeBlock.of("$T.softmax($L, $L, $L, $L, $L);\n", KERNEL, c.in(0), c.out(0),
                Dims.product(x, 0, axis), x[axis], Dims.product(x, axis + 1, x.length));
    }
}
