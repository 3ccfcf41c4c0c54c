package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.ConstantValues;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Lowers {@code Add(quantized, quantized) -> FakeQuantize} (same shapes, the FakeQuantize the Add's only consumer)
 * to a {@link QuantizedAddStep}: inputs and output stay u8, the two input grids may differ (each input is
 * dequantized with its own grid, then the sum is quantized onto the output's). Not thread-safe (shares the
 * constant cache).
 */
public final class QuantizedAddLowering {
    private final Graph graph;
    private final FakeQuantizeDecomposition decomposition;

    public QuantizedAddLowering(ConstantValues constants) {
        this.graph = constants.graph();
        this.decomposition = new FakeQuantizeDecomposition(constants);
    }

    public static boolean applies(Node n) {
        return n.is("Add");
    }

    /** The step, or null when the pattern does not match. */
    public QuantizedAddStep lower(Node add, Map<ValueRef, QuantGrid> grids) {
        ValueRef a = add.input(0), b = add.input(1);
        if (grids.get(a) == null || grids.get(b) == null) {
            return null;
        }
        int[] shape = add.output(0).shape();
        if (!Arrays.equals(graph.port(a).shape(), shape) || !Arrays.equals(graph.port(b).shape(), shape)) {
            return null;
        }
        List<Graph.Use> uses = graph.consumers(add.out(0));
        if (uses.size() != 1 || !uses.get(0).node().is("FakeQuantize") || uses.get(0).inputPosition() != 0) {
            return null;
        }
        Node fq = uses.get(0).node();
        QuantGrid out = decomposition.decompose(fq).grid();
        return out == null ? null : new QuantizedAddStep(add, a, b, fq, out);
    }
}
