package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.plan.ModelPlan;
import dev.lowbit.runtime.fp32.EpilogueSlots;
import dev.lowbit.runtime.fp32.TiledLayout;
import dev.lowbit.transform.lpt.NumpyBroadcast;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which layers after a float convolution run in its epilogue ({@code ChannelEpilogue}) instead of as passes of
 * their own: a chain of Add or Multiply by a per-channel (or single) constant and ReLU, as far as it fits
 * {@link EpilogueSlots}' shape (add, multiply, add, ReLU, multiply, add, in that order), each the only
 * reader of the value before it, none of them a model output, each computed in place in the convolution's output
 * buffer (the planner's rule for element-wise layers whose input dies there). Face-detection's {@code conv -> bias
 * -> ReLU}, head-pose's {@code conv -> bias -> ReLU -> batch norm scale -> shift}. The epilogue applies the same
 * f32 operations in the same order, so the outputs do not change (ChannelEpilogueTest).
 *
 * <p>Only one-group Convolutions off the small-plane kernel ({@link #smallPlane}), with the fast f32 kernels
 * ({@link ConvEmitter} outside {@link StepContext#exactFp32}), and only layers the
 * class's emitters run with the plain float emitters: in an int8 class the low-precision pipeline's own fusions
 * (a Multiply feeding a quantize, say) keep their layers. Immutable once found.
 */
final class ConvEpilogues {
    private static final ClassName EPILOGUE = ClassName.get("dev.lowbit.runtime.fp32", "ChannelEpilogue");

    /** One step of a chain: the layer and its per-channel operand (null for ReLU). */
    record Operation(Node node, float[] operand) {
        String kind() {
            return node.is("ReLU") ? "relu" : node.is("Add") ? "add" : "multiply";
        }
    }

    /** A convolution and the layers its epilogue runs, in order. */
    record Chain(Node conv, List<Operation> steps) {
        /** The epilogue as the generated code builds it: {@code ChannelEpilogue.channels(C).add(W[..]).relu()}. */
        CodeBlock construction(StepContext c, int channels) {
            CodeBlock.Builder b = CodeBlock.builder().add("$T.channels($L)", EPILOGUE, channels);
            for (Operation s : steps) {
                if (s.operand() == null) {
                    b.add(".$L()", s.kind());
                } else {
                    b.add(".$L($L)", s.kind(), c.derived(Tensor.f32(new int[] {channels}, s.operand())));
                }
            }
            return b.build();
        }

        /** "conv1 (Add 52), relu_conv1 (ReLU 53)": what the generated code's comment lists. */
        String describe() {
            return String.join(", ", steps.stream().map(s -> s.node().name() + " (" + s.node().type() + " "
                    + s.node().id() + ")").toList());
        }
    }

    private final Map<Integer, Chain> byConv = new HashMap<>();
    private final Map<Integer, Chain> byFusedNode = new HashMap<>();

    private ConvEpilogues() {
    }

    /** The chains of {@code plan}'s convolutions; none when its fp32 layers must be exact. */
    static ConvEpilogues find(ModelPlan plan, Emitters emitters, boolean exactFp32) {
        ConvEpilogues found = new ConvEpilogues();
        if (exactFp32) {
            return found;
        }
        for (var step : plan.steps()) {
            Node conv = step.node();
            if (conv.is("Convolution") && emitters.forNode(conv) instanceof ConvEmitter && conv.output(0).rank() == 4
                    && !smallPlane(conv, plan.graph())) {
                List<Operation> steps = chain(conv, plan, emitters);
                if (!steps.isEmpty()) {
                    Chain chain = new Chain(conv, steps);
                    found.byConv.put(conv.id(), chain);
                    steps.forEach(s -> found.byFusedNode.put(s.node().id(), chain));
                }
            }
        }
        return found;
    }

    /**
     * Whether the one-group layer runs on the small-plane kernel, whose outputs the epilogue would visit per channel
     * in runs of at most 100 values, masked tails included: landmarks-regression FP32's two such layers took 1.3
     * and 0.6 us more fused than with their Add as a pass over the whole tensor (per-layer profile, 2026-12-03).
     * Grouped layers (depthwise) are left out for the same reason: an epilogue call per group of one channel
     * (its 64 -> 64 depthwise layer: 1.6 us more).
     */
    private static boolean smallPlane(Node conv, Graph g) {
        int[] y = conv.output(0).shape();
        int[] w = g.port(conv.input(1)).shape();
        return TiledLayout.smallPlane(1, y[2], y[3], y[1], w[w.length - 2], w[w.length - 1]);
    }

    /** The chain after {@code conv}: each next layer while it qualifies (class comment). */
    private static List<Operation> chain(Node conv, ModelPlan plan, Emitters emitters) {
        Graph g = plan.graph();
        int[] shape = conv.output(0).shape();
        List<Operation> steps = new ArrayList<>();
        ValueRef v = conv.out(0);
        int slot = -1;
        while (true) {
            List<Graph.Use> uses = g.consumers(v);
            if (uses.size() != 1) {
                return steps;
            }
            Node next = uses.get(0).node();
            if (next.is("Result") || !java.util.Arrays.equals(next.output(0).shape(), shape)
                    || !plan.storageOf(next.out(0)).equals(plan.storageOf(v))) {
                return steps;
            }
            Operation op;
            if (next.is("ReLU") && emitters.forNode(next) instanceof ActivationEmitter) {
                op = new Operation(next, null);
            } else if ((next.is("Add") || next.is("Multiply")) && emitters.forNode(next) instanceof ElementwiseEmitter) {
                float[] operand = perChannel(g, next, uses.get(0).inputPosition(), shape);
                if (operand == null) {
                    return steps;
                }
                op = new Operation(next, operand);
            } else {
                return steps;
            }
            slot = EpilogueSlots.next(op.kind(), slot);
            if (slot < 0) {
                return steps; // past the epilogue's shape (a second ReLU, a fourth Add): the rest run as passes
            }
            steps.add(op);
            v = next.out(0);
        }
    }

    /**
     * The other operand of {@code op} (v at input {@code position}) as one value per channel of {@code shape}
     * (NCHW), or null when it is not a constant that varies along the channel axis only (or nowhere).
     */
    private static float[] perChannel(Graph g, Node op, int position, int[] shape) {
        Node producer = g.node(op.input(1 - position).node());
        if (!producer.is("Const")) {
            return null;
        }
        return NumpyBroadcast.alongAxisAsFloats(producer.constant(), shape, 1);
    }

    /**
     * The emitter of layer {@code n}: a convolution with its chain, a layer its convolution's epilogue runs, or
     * {@code plain} (the class's emitter for it).
     */
    LayerEmitter emitterFor(Node n, LayerEmitter plain) {
        if (byConv.containsKey(n.id())) {
            return new WithEpilogue((ConvEmitter) plain, byConv.get(n.id()));
        }
        if (byFusedNode.containsKey(n.id())) {
            return new InEpilogue(plain, byFusedNode.get(n.id()));
        }
        return plain;
    }

    /** A convolution whose epilogue runs its chain. */
    private record WithEpilogue(ConvEmitter conv, Chain chain) implements LayerEmitter {
        @Override
        public void check(Node node, Graph graph) {
            conv.check(node, graph);
        }

        @Override
        public CodeBlock emit(StepContext c) {
            return conv.emit(c, chain);
        }
    }

    /** A layer of a chain: nothing runs here, its convolution's epilogue computed it in this buffer. */
    private record InEpilogue(LayerEmitter plain, Chain chain) implements LayerEmitter {
        @Override
        public void check(Node node, Graph graph) {
            plain.check(node, graph);
        }

        @Override
        public CodeBlock emit(StepContext c) {
            c.report("fused into the epilogue of the f32 convolution at layer " + chain.conv().id(), 0);
            return CodeBlock.of("// computed in place by the epilogue of layer $L ($L)\n", chain.conv().id(),
                    chain.conv().name());
        }
    }
}
