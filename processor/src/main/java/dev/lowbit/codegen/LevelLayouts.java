package dev.lowbit.codegen;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.lpt.LoweredStep;
import dev.lowbit.transform.lpt.PreservedStep;
import dev.lowbit.transform.lpt.QuantizedAddStep;
import dev.lowbit.transform.lpt.QuantizedLinear;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which level tensors of the int8 path are stored channels-last (NHWC) instead of in the IR's NCHW order.
 *
 * <p>Why: the int8 convolutions read and write NHWC. With every level tensor NCHW, each convolution was framed by
 * two byte transposes, scalar passes that took about 45% of face-detection-retail's single-thread time (JFR).
 * The convolutions on f32 FMA ({@code FmaConvolution}) and the fully connected kernel read and write NCHW instead,
 * so a tensor one of them touches stays NCHW; and a group of tensors that no NHWC int8 convolution writes or reads
 * stays NCHW too, since it would only pay the NHWC transposes.
 * A tensor is stored NHWC when every op that touches its bytes can work on NHWC: its writer (an int8 convolution,
 * a quantize, a residual add, a MaxPool, a channel Concat, a ReLU copy) and each reader (an int8 convolution, the
 * same level ops, or a dequantize to the fp32 NCHW buffer of an fp32 reader). MaxPool, ReLU, Concat and the add
 * are element- or channel-wise in both layouts but need their operands and result in the same one, so those
 * tensors are decided together (union-find): one tensor that must stay NCHW keeps its whole group NCHW. Views
 * (Reshape, Squeeze, Unsqueeze) share their input's bytes and index them in NCHW order, so a viewed tensor stays
 * NCHW unless it has one pixel (then both orders are the same bytes).
 *
 * <p>Decided once per generated class from the lowered model; immutable afterwards.
 */
final class LevelLayouts {
    /** What the layout decision needs to know about the int8 emitters. */
    interface Roles {
        Graph graph();

        /** The model's {@code @CompiledModel(exactInt8)} ({@link Int8Emitters#exactSums}). */
        boolean exactSums();

        /** The lowered step whose node is {@code nodeId}, or null. */
        LoweredStep stepAt(int nodeId);

        /** The int8 layer emitted at node {@code nodeId} (its last fused node), or null. */
        QuantizedLinear int8LayerWritingAt(int nodeId);

        /** The int8 layer whose own node (the Convolution/MatMul) is {@code nodeId}, or null. */
        QuantizedLinear int8LayerReadingAt(int nodeId);

        /** The residual add emitted at node {@code nodeId} (its FakeQuantize), or null. */
        QuantizedAddStep addWritingAt(int nodeId);

        /** Whether node {@code nodeId} quantizes fp32 values into levels. */
        boolean quantizesAt(int nodeId);

        /** The value whose bytes {@code v} shares (itself unless it is a view). */
        ValueRef root(ValueRef v);

        /** Whether some view shares {@code root}'s bytes. */
        boolean viewed(ValueRef root);

        /** Whether the NHWC max pooling kernel can run this MaxPool on levels. */
        boolean poolsChannelsLast(Node maxPool);
    }

    private final Set<ValueRef> channelsLast = new HashSet<>();

    LevelLayouts(Roles roles, Iterable<ValueRef> levelTensors) {
        Map<ValueRef, ValueRef> parent = new HashMap<>();
        Set<ValueRef> blocked = new HashSet<>();
        Function<ValueRef, ValueRef> find = new Function<>() {
            @Override
            public ValueRef apply(ValueRef v) {
                ValueRef p = parent.getOrDefault(v, v);
                if (p.equals(v)) {
                    return v;
                }
                ValueRef r = apply(p);
                parent.put(v, r);
                return r;
            }
        };
        Set<ValueRef> wanted = new HashSet<>();
        for (ValueRef r : levelTensors) {
            if (!writerAccepts(roles, r, find, parent) || !readersAccept(roles, r)) {
                blocked.add(r);
            }
            if (touchedByChannelsLastConvolution(roles, r)) {
                wanted.add(r);
            }
        }
        Set<ValueRef> blockedGroups = new HashSet<>();
        for (ValueRef r : blocked) {
            blockedGroups.add(find.apply(r));
        }
        Set<ValueRef> wantedGroups = new HashSet<>();
        for (ValueRef r : wanted) {
            wantedGroups.add(find.apply(r));
        }
        for (ValueRef r : levelTensors) {
            ValueRef group = find.apply(r);
            if (wantedGroups.contains(group) && !blockedGroups.contains(group)) {
                channelsLast.add(r);
            }
        }
    }

    /** Whether the level tensor whose bytes are {@code root}'s is stored NHWC. */
    boolean channelsLast(ValueRef root) {
        return channelsLast.contains(root);
    }

    /** How many level tensors are stored NHWC (for the build report). */
    int channelsLastCount() {
        return channelsLast.size();
    }

    private static boolean writerAccepts(Roles roles, ValueRef r, Function<ValueRef, ValueRef> find,
            Map<ValueRef, ValueRef> parent) {
        int[] shape = roles.graph().port(r).shape();
        if (shape.length != 4 || (roles.viewed(r) && shape[2] * shape[3] > 1)) {
            return false;
        }
        int at = r.node();
        QuantizedLinear layer = roles.int8LayerWritingAt(at);
        if (layer != null) {
            return channelsLastConvolution(roles, layer);
        }
        QuantizedAddStep add = roles.addWritingAt(at);
        if (add != null) {
            union(find, parent, r, roles.root(add.a()));
            union(find, parent, r, roles.root(add.b()));
            return true;
        }
        if (roles.quantizesAt(at)) {
            return true;
        }
        if (roles.stepAt(at) instanceof PreservedStep p && sameLayoutOp(roles, p.node())) {
            for (ValueRef in : p.inputs()) {
                union(find, parent, r, roles.root(in));
            }
            return true;
        }
        return false;
    }

    /**
     * Whether an int8 convolution that works on NHWC (not one on f32 FMA) writes or reads {@code r}: only such a
     * tensor gains from NHWC. Every other one stays NCHW, where quantize, dequantize and the level ops run on
     * contiguous runs (the NHWC quantize costs a byte transpose, about 0.9 ns per element).
     */
    private static boolean touchedByChannelsLastConvolution(Roles roles, ValueRef r) {
        if (channelsLastConvolution(roles, roles.int8LayerWritingAt(r.node()))) {
            return true;
        }
        for (Graph.Use u : roles.graph().consumers(r)) {
            if (channelsLastConvolution(roles, roles.int8LayerReadingAt(u.node().id()))) {
                return true;
            }
        }
        return false;
    }

    /** An int8 layer that reads and writes NHWC: a convolution on the int8 kernels (not MatMul, not on f32 FMA). */
    private static boolean channelsLastConvolution(Roles roles, QuantizedLinear layer) {
        return layer != null && layer.kind() != QuantizedLinear.Kind.MATMUL
                && !Int8LinearEmitter.onFma(layer, roles.exactSums());
    }

    private static boolean readersAccept(Roles roles, ValueRef r) {
        for (Graph.Use u : roles.graph().consumers(r)) {
            Node c = u.node();
            QuantizedLinear layer = roles.int8LayerReadingAt(c.id());
            if (layer != null && !channelsLastConvolution(roles, layer)) {
                return false;
            }
            if (roles.stepAt(c.id()) instanceof PreservedStep p && !Int8Emitters.isView(c) && !sameLayoutOp(roles, p.node())) {
                return false;
            }
            // int8 convolutions read NHWC; adds and same-layout ops are grouped by their writer side; everything
            // else reads the fp32 buffer the dequantize writes, which transposes on the way
        }
        return true;
    }

    /** MaxPool (when the NHWC kernel takes its geometry), ReLU (a copy) and a Concat along channels. */
    private static boolean sameLayoutOp(Roles roles, Node n) {
        if (n.is("ReLU")) {
            return true;
        }
        if (n.is("MaxPool")) {
            return roles.poolsChannelsLast(n);
        }
        if (n.is("Concat")) {
            int rank = roles.graph().port(n.out(0)).shape().length;
            int axis = n.attributes().intValue("axis");
            return rank == 4 && (axis == 1 || axis == -3);
        }
        return false;
    }

    private static void union(Function<ValueRef, ValueRef> find, Map<ValueRef, ValueRef> parent, ValueRef a, ValueRef b) {
        ValueRef ra = find.apply(a), rb = find.apply(b);
        if (!ra.equals(rb)) {
            parent.put(ra, rb);
        }
    }
}
