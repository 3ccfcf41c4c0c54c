package dev.lowbit.reference;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import java.util.Locale;
import java.util.Set;

/**
 * Checks that each layer's declared output element type is of the kind its op gives: the ops below compute in
 * their data input's type, so a floating input with an integer output (or the reverse, or two different integer
 * types) contradicts the op. The reference evaluator computes in the declared type and the generated code in f32,
 * so such a file would otherwise build into code that disagrees with the oracle (an i64 Clamp in a float network
 * truncated in one and not in the other). f16 against f32 is not a contradiction here: the FP16 IRs declare f16
 * and both paths compute it in f32 (and their DetectionOutput, not checked, declares f32 after f16 inputs).
 * Stateless, thread-safe.
 */
public final class DeclaredTypes {
    private static final Set<String> INPUT_TYPE = Set.of("convolution", "groupconvolution", "convolutionbackpropdata",
            "maxpool", "avgpool", "matmul", "add", "subtract", "multiply", "divide", "fakequantize", "concat", "relu",
            "sigmoid", "clamp", "softmax", "prelu", "reshape", "transpose", "squeeze", "unsqueeze", "reducemean",
            "gather", "stridedslice");

    private DeclaredTypes() {}

    /** Throws an {@link IrException} naming the first layer whose declared output type contradicts its input's. */
    public static void check(Graph graph) {
        for (Node node : graph.nodes()) {
            if (!INPUT_TYPE.contains(node.type().toLowerCase(Locale.ROOT)) || node.outputs().isEmpty()
                    || node.inputs().isEmpty()) {
                continue;
            }
            ElementType in = graph.port(node.input(0)).type();
            ElementType out = node.output(0).type();
            boolean sameKind = in.isFloatingPoint() ? out.isFloatingPoint() : out == in;
            if (!sameKind) {
                throw new IrException(node, "declares output element type " + out.irName() + ", but its data input is "
                        + in.irName() + ": a " + node.type() + " gives its input's element type");
            }
        }
    }
}
