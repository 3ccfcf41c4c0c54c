package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.ConstantValues;
import java.util.List;
import java.util.Map;

/**
 * The result of the low-precision transformations: the original graph, the steps that compute it in order
 * (int8 layers as {@link QuantizedLinear} with all their constants, {@link QuantizeStep}, {@link PreservedStep}
 * on level indices, {@link Fp32Step} islands), the grid of every quantized value, the build-time constants, and
 * notes naming every layer that stays fp32 where int8 was possible, or takes an approximation, and why.
 * Model outputs are always fp32 (a quantized Result input is dequantized). A code generator walks {@link #steps}.
 * Immutable apart from the constant cache, which is not thread-safe.
 *
 * @param grids  grid of each quantized value (absent = fp32)
 * @param notes  "layer id=.. name=.. type=..: why", for the build's NOTE lines and the report
 * @param linear every Convolution / GroupConvolution / MatMul / ConvolutionBackpropData with its MACs and
 *               whether it runs in int8
 */
public record LoweredModel(Graph graph, List<LoweredStep> steps, Map<ValueRef, QuantGrid> grids,
        ConstantValues constants, List<String> notes, List<LinearLayer> linear) {

    /** One weighted layer for the int8 coverage summary. Immutable, thread-safe. */
    public record LinearLayer(Node node, long macs, boolean int8) {}

    public LoweredModel {
        steps = List.copyOf(steps);
        grids = Map.copyOf(grids);
        notes = List.copyOf(notes);
        linear = List.copyOf(linear);
    }

    public QuantGrid grid(ValueRef v) {
        return grids.get(v);
    }

    /** Fraction of Convolution/GroupConvolution/MatMul MACs in int8 (ConvolutionBackpropData excluded). */
    public double int8MacFraction() {
        long all = 0, int8 = 0;
        for (LinearLayer l : linear) {
            if (!l.node.is("ConvolutionBackpropData")) {
                all += l.macs;
                int8 += l.int8 ? l.macs : 0;
            }
        }
        return all == 0 ? 1 : (double) int8 / all;
    }

    /** One line per step, for dumps: what runs, in which precision, on which grid. */
    public String dump() {
        StringBuilder sb = new StringBuilder(summary());
        for (LoweredStep s : steps) {
            sb.append("  ");
            switch (s) {
                case QuantizedLinear l -> sb.append(String.format("int8 %s %s%s%s -> %s, %d segment(s)%s%n",
                        l.kind(), l.node().describe(), l.fused().isEmpty() ? "" : " + " + l.fused().stream()
                                .map(n -> n.type()).toList(), (l.relu() ? " relu" : l.preluSlope() != null ? " prelu" : "")
                                + (l.hasPostAffine() ? " then x * a + b" : ""),
                        l.requant() == null ? "fp32" : l.requant(), l.segments().size(),
                        l.needsBorderTerm() ? ", border term" : ""));
                case QuantizeStep q -> sb.append("quantize ").append(q.node().describe()).append(" -> ")
                        .append(q.grid()).append('\n');
                case PreservedStep p -> sb.append("on levels ").append(p.node().describe())
                        .append(p.lookups().isEmpty() ? "" : " (inputs requantized by lookup)").append(" -> ")
                        .append(p.grid()).append('\n');
                case QuantizedAddStep a -> sb.append("u8 add ").append(a.node().describe()).append(" + ")
                        .append(a.fakeQuantize().type()).append(" -> ").append(a.grid()).append('\n');
                case Fp32Step f -> sb.append("fp32 ").append(f.node().describe())
                        .append(f.note() == null ? "" : " (" + f.note() + ")").append('\n');
            }
        }
        return sb.toString();
    }

    /** A short readable summary: coverage, step counts, notes. */
    public String summary() {
        long q = steps.stream().filter(s -> s instanceof QuantizedLinear).count();
        long f = steps.stream().filter(s -> s instanceof Fp32Step).count();
        long p = steps.stream().filter(s -> s instanceof PreservedStep).count();
        long z = steps.stream().filter(s -> s instanceof QuantizeStep).count();
        long a = steps.stream().filter(s -> s instanceof QuantizedAddStep).count();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s: %d int8 layers, %d quantize, %d on levels, %d u8 adds, %d fp32 steps; int8 MACs %.2f%%%n",
                graph.name(), q, z, p, a, f, 100 * int8MacFraction()));
        for (String n : notes) {
            sb.append("  NOTE ").append(n).append('\n');
        }
        return sb.toString();
    }
}
