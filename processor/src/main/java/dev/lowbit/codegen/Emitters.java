package dev.lowbit.codegen;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import dev.lowbit.plan.LayerSupport;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The emitter of each op type the fp32 code generator supports; the planner's {@link LayerSupport}. Immutable and
 * thread-safe ({@link Int8Emitters} is not).
 * Not final: {@link Int8Emitters} substitutes the int8 emitters for the layers the low-precision transformations lower.
 */
public class Emitters implements LayerSupport {
    private final Map<String, LayerEmitter> byType = new HashMap<>();

    public Emitters() {
        register(new ConvEmitter(), "Convolution", "GroupConvolution");
        register(new DeconvEmitter(), "ConvolutionBackpropData");
        register(new MatMulEmitter(), "MatMul");
        register(new PoolEmitter(), "MaxPool", "AvgPool");
        register(new ElementwiseEmitter(), "Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum",
                "SquaredDifference");
        register(new ActivationEmitter(), "ReLU", "Sigmoid", "Clamp", "PReLU", "SoftMax");
        register(new ReduceMeanEmitter(), "ReduceMean");
        register(new DataMovementEmitter(), "Concat", "Transpose");
        register(new FakeQuantizeEmitter(), "FakeQuantize");
        register(new DetectionOutputEmitter(), "DetectionOutput");
    }

    private void register(LayerEmitter e, String... types) {
        for (String t : types) {
            byType.put(t.toLowerCase(Locale.ROOT), e);
        }
    }

    /** Op types with a kernel, sorted (views and build-time-folded ops are not listed). */
    public Set<String> supportedTypes() {
        return new TreeSet<>(byType.keySet());
    }

    LayerEmitter forNode(Node n) {
        LayerEmitter e = byType.get(n.type().toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IrException(n, "unsupported op type '" + n.type() + "' (" + n.version() + ") at run time: no fp32 "
                    + "kernel, and its inputs are not all known at build time; supported: " + supportedTypes());
        }
        return e;
    }

    /**
     * Whether the fp32 layers of {@code planned} must use the exact (double-accumulating, oracle-identical) kernels:
     * true when the graph runs a FakeQuantize literally, i.e. an INT8 IR compiled on the fp32 path. There FakeQuantize
     * rounds activations to levels, and one f32 ulp of a different summation order can move a value across a
     * rounding boundary, a whole level away from what the oracle computes; that path promises agreement with the
     * oracle to 1e-5. Float IRs have no such boundary, so their layers take the fast f32 kernels (error ~1e-6
     * relative). {@link Int8Emitters} answers false for its fp32 islands.
     */
    boolean exactFp32(Graph planned) {
        return planned.nodes().stream().anyMatch(n -> n.is("FakeQuantize"));
    }

    @Override
    public void check(Node node, Graph graph) {
        forNode(node).check(node, graph);
    }

    /** Element-wise kernels, activations, SoftMax and FakeQuantize read element i before writing it. */
    private static final Set<String> IN_PLACE = Set.of("add", "subtract", "multiply", "divide", "maximum", "minimum",
            "squareddifference", "relu", "sigmoid", "clamp", "prelu", "softmax", "fakequantize");

    @Override
    public boolean canWriteOverInput0(Node node, Graph graph) {
        return IN_PLACE.contains(node.type().toLowerCase(Locale.ROOT))
                && java.util.Arrays.equals(graph.port(node.input(0)).shape(), node.output(0).shape());
    }
}
