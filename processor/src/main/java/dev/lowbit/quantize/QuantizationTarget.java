package dev.lowbit.quantize;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * A Convolution or MatMul whose data input gets an activation FakeQuantize and whose constant weights get
 * per-output-channel int8, or the reason it stays fp32. Immutable, thread-safe.
 *
 * @param op          the layer
 * @param channelAxis the output-channel axis of its weights (0 for Convolution and for MatMul with
 *                    transpose_b, the last axis for MatMul without), -1 when skipped
 * @param skipReason  null when the layer is quantized
 */
public record QuantizationTarget(Node op, int channelAxis, String skipReason) {
    public boolean quantized() {
        return skipReason == null;
    }

    /** Every Convolution and MatMul of {@code graph}, in topological order, with its decision. */
    public static List<QuantizationTarget> find(Graph graph) {
        List<QuantizationTarget> targets = new ArrayList<>();
        for (Node n : graph.nodes()) {
            if (n.is("Convolution") || n.is("MatMul")) {
                targets.add(decide(graph, n));
            } else if (n.is("GroupConvolution") || n.is("ConvolutionBackpropData")) {
                targets.add(new QuantizationTarget(n, -1, n.type() + " is not quantized yet"));
            }
        }
        return targets;
    }

    private static QuantizationTarget decide(Graph graph, Node n) {
        if (n.inputs().size() != 2) {
            return new QuantizationTarget(n, -1, "expected 2 inputs, found " + n.inputs().size());
        }
        Node weights = graph.producer(n, 1);
        if (!weights.is("Const") || weights.constant() == null) {
            return new QuantizationTarget(n, -1, "weights (input 1) are not a constant but "
                    + weights.describe());
        }
        if (!weights.constant().type().isFloatingPoint()) {
            return new QuantizationTarget(n, -1, "weights are already " + weights.constant().type().irName());
        }
        if (!graph.port(n.input(0)).type().isFloatingPoint()) {
            return new QuantizationTarget(n, -1, "data input is " + graph.port(n.input(0)).type().irName());
        }
        int rank = weights.constant().rank();
        if (n.is("Convolution")) {
            return new QuantizationTarget(n, 0, null);
        }
        if (rank < 2) {
            return new QuantizationTarget(n, -1, "MatMul weights of rank " + rank + " have no channel axis");
        }
        boolean transposeB = n.attributes().bool("transpose_b", false);
        return new QuantizationTarget(n, transposeB ? rank - 2 : rank - 1, null);
    }
}
