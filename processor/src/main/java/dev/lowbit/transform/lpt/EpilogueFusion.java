package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.ConstantValues;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Requantization fusion: follows an int8 layer's output through an optional bias Add (a constant that varies
 * only along the channel axis), an optional ReLU or PReLU (a constant slope, shared or per channel) and an
 * optional activation FakeQuantize, each taken only when it is the single consumer of the value before it, and
 * returns what the epilogue absorbs. Without a FakeQuantize after the activation, a per-channel Multiply and then
 * Add (a batch norm after ReLU, as in head-pose-estimation) are absorbed too, unless a FakeQuantize follows them
 * (the quantize step then applies them in its own pass). Not thread-safe (shares the constant cache).
 */
final class EpilogueFusion {
    /**
     * What was fused; {@code preluSlope} is null without PReLU, {@code postScale} and {@code postShift} without the
     * Multiply and Add after the activation; {@code output} is the value the epilogue writes.
     */
    record Fusion(List<Node> fused, float[] bias, boolean relu, float[] preluSlope, float[] postScale,
            float[] postShift, QuantGrid requant, ValueRef output) {}

    private final ConstantValues constants;
    private final Graph graph;
    private final FakeQuantizeDecomposition decomposition;

    EpilogueFusion(ConstantValues constants) {
        this.constants = constants;
        this.graph = constants.graph();
        this.decomposition = new FakeQuantizeDecomposition(constants);
    }

    /**
     * {@code build} applied to {@code linear}'s epilogue ({@link #fuse}), with a PReLU or a Multiply and Add after
     * the activation fused where the layer built sums one run of input channels per output channel; where it sums
     * several (their combine passes have neither), built again without them, so they stay fp32 steps.
     */
    QuantizedLinear lower(Node linear, int channelAxis, int channels, Function<Fusion, QuantizedLinear> build) {
        QuantizedLinear l = build.apply(fuse(linear, channelAxis, channels, true));
        boolean oneRunOnly = l.preluSlope() != null || l.hasPostAffine();
        return !oneRunOnly || l.oneSegmentPerChannel() ? l : build.apply(fuse(linear, channelAxis, channels, false));
    }

    /**
     * The epilogue of {@code linear}, whose output has {@code channels} channels along {@code channelAxis};
     * {@code oneRun} says whether the layer's kernels can take a PReLU or a Multiply and Add after the activation
     * (not the layers summing several runs of input channels).
     */
    Fusion fuse(Node linear, int channelAxis, int channels, boolean oneRun) {
        List<Node> fused = new ArrayList<>();
        float[] bias = new float[channels];
        boolean relu = false;
        float[] slope = null;
        QuantGrid requant = null;
        ValueRef cur = linear.out(0);
        int[] shape = graph.port(cur).shape();
        Node next = soleConsumer(cur);
        float[] b = channelConstant(next, "Add", cur, shape, channelAxis);
        if (b != null) {
            bias = b;
            fused.add(next);
            cur = next.out(0);
            next = soleConsumer(cur);
        }
        if (next != null && (next.is("ReLU") || next.is("Relu"))) {
            relu = true;
            fused.add(next);
            cur = next.out(0);
            next = soleConsumer(cur);
        } else if (oneRun && next != null && next.is("PReLU") && next.input(0).equals(cur)
                && (slope = preluSlope(next, shape, channelAxis)) != null) {
            fused.add(next);
            cur = next.out(0);
            next = soleConsumer(cur);
        }
        if (next != null && next.is("FakeQuantize") && next.input(0).equals(cur)) {
            FakeQuantizeDecomposition.Result r = decomposition.decompose(next);
            if (r.grid() != null && (r.grid().channels() == 1 || channelAxis == 1)) {
                requant = r.grid();
                fused.add(next);
                cur = next.out(0);
            }
            return new Fusion(fused, bias, relu, slope, null, null, requant, cur);
        }
        if (!oneRun || slope != null) {
            return new Fusion(fused, bias, relu, slope, null, null, null, cur);
        }
        // a per-channel Multiply, then Add, after the activation: fp32 output only, and not when a FakeQuantize
        // takes the result (its quantize step applies x * a + b on the way to levels in one pass)
        List<Node> affine = new ArrayList<>();
        ValueRef after = cur;
        float[] scale = channelConstant(next, "Multiply", after, shape, channelAxis);
        if (scale != null) {
            affine.add(next);
            after = next.out(0);
            next = soleConsumer(after);
        }
        float[] shift = channelConstant(next, "Add", after, shape, channelAxis);
        if (shift != null) {
            affine.add(next);
            after = next.out(0);
            next = soleConsumer(after);
        }
        if (affine.isEmpty() || (next != null && next.is("FakeQuantize"))) {
            return new Fusion(fused, bias, relu, null, null, null, null, cur);
        }
        fused.addAll(affine);
        return new Fusion(fused, bias, relu, null, scale, shift, null, after);
    }

    /**
     * The per-channel constant of {@code op} when it is an {@code opType} of {@code cur} and a constant that varies
     * only along the channel axis (numpy broadcast), with {@code cur}'s shape as its output; else null.
     */
    private float[] channelConstant(Node op, String opType, ValueRef cur, int[] shape, int channelAxis) {
        if (op == null || !op.is(opType)) {
            return null;
        }
        int ci = constants.isConstant(op.input(1)) ? 1 : constants.isConstant(op.input(0)) ? 0 : -1;
        if (ci < 0 || !op.input(1 - ci).equals(cur) || !java.util.Arrays.equals(graph.port(op.out(0)).shape(), shape)) {
            return null;
        }
        return NumpyBroadcast.alongAxisAsFloats(constants.value(op.input(ci)), shape, channelAxis);
    }

    /**
     * PReLU's slope per channel, or null when it is not a constant or varies along another axis. A 1-D slope as
     * long as the channel axis runs along it (the op's own rule, ahead of numpy alignment).
     */
    private float[] preluSlope(Node prelu, int[] shape, int channelAxis) {
        if (!constants.isConstant(prelu.input(1))) {
            return null;
        }
        dev.lowbit.graph.Tensor t = constants.value(prelu.input(1));
        int channels = shape[channelAxis];
        double[] s;
        if (t.size() == 1 || (t.shape().length == 1 && t.shape()[0] == channels && channelAxis == 1)) {
            s = new double[channels];
            for (int c = 0; c < channels; c++) {
                s[c] = t.get(t.size() == 1 ? 0 : c);
            }
        } else {
            s = NumpyBroadcast.alongAxis(t, shape, channelAxis);
        }
        if (s == null) {
            return null;
        }
        float[] slope = new float[channels];
        for (int c = 0; c < channels; c++) {
            slope[c] = (float) s[c];
        }
        return slope;
    }

    /** The only consumer of a value, or null when there are several, none, or it is a model output. */
    private Node soleConsumer(ValueRef v) {
        List<Graph.Use> uses = graph.consumers(v);
        if (uses.size() != 1 || uses.get(0).node().is("Result")) {
            return null;
        }
        return uses.get(0).node();
    }
}
