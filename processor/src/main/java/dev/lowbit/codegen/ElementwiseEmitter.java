package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Element-wise binary ops with numpy broadcasting. Picks the kernel at build time from the shapes: equal
 * shapes, one operand per channel of an [outer][c][inner] view (bias, scale), or the general strided loop.
 */
final class ElementwiseEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "Elementwise");
    private static final ClassName OP = ClassName.get("dev.lowbit.runtime.fp32", "BinaryOp");
    static final Map<String, String> OPS = Map.of("add", "ADD", "subtract", "SUBTRACT", "multiply", "MULTIPLY",
            "divide", "DIVIDE", "maximum", "MAXIMUM", "minimum", "MINIMUM", "squareddifference", "SQUARED_DIFFERENCE");
    private static final Set<String> COMMUTATIVE = Set.of("ADD", "MULTIPLY", "MAXIMUM", "MINIMUM", "SQUARED_DIFFERENCE");

    @Override
    public void check(Node n, Graph g) {
        String b = n.attributes().string("auto_broadcast", "numpy").toLowerCase(Locale.ROOT);
        if (!b.equals("numpy") && !b.equals("none")) {
            throw new IrException(n, "auto_broadcast='" + b + "' is not supported (numpy only)");
        }
        if (n.output(0).rank() > 6) {
            throw new IrException(n, "rank " + n.output(0).rank() + " is above the supported 6");
        }
        if (n.is("Divide") && n.attributes().bool("m_pythondiv", true) && !n.output(0).type().isFloatingPoint()) {
            throw new IrException(n, "integer Divide is not supported at run time");
        }
    }

    @Override
    public CodeBlock emit(StepContext c) {
        String op = OPS.get(c.node().type().toLowerCase(Locale.ROOT));
        int[] y = c.outShape(0);
        int[] a = c.inShape(0);
        int[] b = c.inShape(1);
        CodeBlock ea = c.in(0);
        CodeBlock eb = c.in(1);
        int n = Dims.size(y);
        c.report("Elementwise", 0);
        if (Arrays.equals(a, y) && Arrays.equals(b, y)) {
            return CodeBlock.of("$T.same($T.$L, $L, $L, $L, $L);\n", KERNEL, OP, op, ea, eb, c.out(0), n);
        }
        if (!Arrays.equals(a, y) && Arrays.equals(b, y) && COMMUTATIVE.contains(op)) {
            int[] t = a;
            a = b;
            b = t;
            CodeBlock te = ea;
            ea = eb;
            eb = te;
        }
        int axis = Dims.singleAxis(b, y.length);
        if (Arrays.equals(a, y) && axis != -2) {
            int outer = axis < 0 ? 1 : Dims.product(y, 0, axis);
            int ch = axis < 0 ? 1 : y[axis];
            int inner = axis < 0 ? n : Dims.product(y, axis + 1, y.length);
            return CodeBlock.of("$T.perChannel($T.$L, $L, $L, $L, $L, $L, $L);\n", KERNEL, OP, op, ea, eb, c.out(0),
                    outer, ch, inner);
        }
        return CodeBlock.of("$T.broadcast6($T.$L, $L, $L, $L, $L, $L, $L);\n", KERNEL, OP, op, ea,
                c.ints("a_strides", Dims.broadcastStrides6(a, y)), eb, c.ints("b_strides", Dims.broadcastStrides6(b, y)),
                c.out(0), c.ints("shape", Dims.pad6(y)));
    }
}
