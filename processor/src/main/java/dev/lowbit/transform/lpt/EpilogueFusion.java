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
 * returns what the epilogue absorbs. Not thread-safe (shares the constant cache).
 */
final class EpilogueFusion {
    /** What was fused; {@code preluSlope} is null without PReLU; {@code output} is the value the epilogue writes. */
    record Fusion(List<Node> fused, float[] bias, boolean relu, float[] preluSlope, QuantGrid requant, ValueRef output) {}

    private final ConstantValues constants;
    private final Graph graph;
    private final FakeQuantizeDecomposition decomposition;

    EpilogueFusion(ConstantValues constants) {
        this.constants = constants;
        this.graph = constants.graph();
        this.decomposition = new FakeQuantizeDecomposition(constants);
    }

    /**
     * {@code build} applied to {@code linear}'s epilogue ({@link #fuse}), with a PReLU fused where the layer built
     * sums one run of input channels per output channel; where it sums several (their combine passes have no
     * PReLU), built again without it, so the PReLU stays an fp32 step.
     */
    QuantizedLinear lower(Node linear, int channelAxis, int channels, Function<Fusion, QuantizedLinear> build) {
        QuantizedLinear l = build.apply(fuse(linear, channelAxis, channels, true));
        return l.preluSlope() == null || l.oneSegmentPerChannel() ? l
                : build.apply(fuse(linear, channelAxis, channels, false));
    }

    /**
     * The epilogue of {@code linear}, whose output has {@code channels} channels along {@code channelAxis};
     * {@code prelu} says whether the layer's kernels can take a PReLU (not the layers summing several runs of
     * input channels).
     */
    Fusion fuse(Node linear, int channelAxis, int channels, boolean prelu) {
        List<Node> fused = new ArrayList<>();
        float[] bias = new float[channels];
        boolean relu = false;
        float[] slope = null;
        QuantGrid requant = null;
        ValueRef cur = linear.out(0);
        int[] shape = graph.port(cur).shape();
        Node next = soleConsumer(cur);
        if (next != null && next.is("Add")) {
            int ci = constants.isConstant(next.input(1)) ? 1 : constants.isConstant(next.input(0)) ? 0 : -1;
            if (ci >= 0 && next.input(1 - ci).equals(cur)
                    && java.util.Arrays.equals(graph.port(next.out(0)).shape(), shape)) {
                double[] b = NumpyBroadcast.alongAxis(constants.value(next.input(ci)), shape, channelAxis);
                if (b != null) {
                    for (int c = 0; c < channels; c++) {
                        bias[c] = (float) b[c];
                    }
                    fused.add(next);
                    cur = next.out(0);
                    next = soleConsumer(cur);
                }
            }
        }
        if (next != null && (next.is("ReLU") || next.is("Relu"))) {
            relu = true;
            fused.add(next);
            cur = next.out(0);
            next = soleConsumer(cur);
        } else if (prelu && next != null && next.is("PReLU") && next.input(0).equals(cur)
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
        }
        return new Fusion(fused, bias, relu, slope, requant, cur);
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
