package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.ConstantValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs precision-preserving ops on level indices instead of dequantized values. Can be transformed when the
 * result on levels is exactly the levels of the fp32 result:
 * <ul>
 *   <li>MaxPool: any grid whose dequantization is non-decreasing (max commutes with it; -inf padding is unchanged);</li>
 *   <li>ReLU: a grid with no negative output, where ReLU is the identity;</li>
 *   <li>Reshape, Squeeze, Unsqueeze, Transpose: a per-tensor grid (a per-channel one would move with the axes);</li>
 *   <li>Concat: equal grids, or any grids along axis 1, giving a per-channel grid (no requantization).</li>
 * </ul>
 * Not thread-safe (shares the constant cache).
 */
public final class PrecisionPreservingLowering {
    private final ConstantValues constants;
    private final Graph graph;
    private final boolean commonGridForConcat;

    /** Exact rules only: a Concat of different grids keeps them per channel. */
    public PrecisionPreservingLowering(ConstantValues constants) {
        this(constants, false);
    }

    /**
     * {@code commonGridForConcat}: requantize the inputs of a Concat with different per-tensor grids to one common
     * grid (their union range, same levels), so its consumers see one per-tensor grid. An approximation (up to
     * half a level of the common grid per value) that the caller must report.
     */
    public PrecisionPreservingLowering(ConstantValues constants, boolean commonGridForConcat) {
        this.constants = constants;
        this.graph = constants.graph();
        this.commonGridForConcat = commonGridForConcat;
    }

    public static boolean applies(Node n) {
        return n.is("MaxPool") || n.is("ReLU") || n.is("Relu") || n.is("Reshape") || n.is("Squeeze")
                || n.is("Unsqueeze") || n.is("Transpose") || n.is("Concat");
    }

    /** The step, or null when the op must run in fp32 on dequantized data. */
    public PreservedStep lower(Node n, Map<ValueRef, QuantGrid> grids) {
        if (n.is("Concat")) {
            return concat(n, grids);
        }
        QuantGrid g = grids.get(n.input(0));
        if (g == null) {
            return null;
        }
        for (int i = 1; i < n.inputs().size(); i++) {
            if (!constants.isConstant(n.input(i))) {
                return null;
            }
        }
        if (n.is("MaxPool")) {
            if (n.outputs().size() > 1 && !graph.consumers(n.out(1)).isEmpty()) {
                return null; // indices output in use
            }
            return g.monotone() ? new PreservedStep(n, List.of(n.input(0)), g) : null;
        }
        if (n.is("ReLU") || n.is("Relu")) {
            return g.nonNegative() ? new PreservedStep(n, List.of(n.input(0)), g) : null;
        }
        return g.isPerTensor() ? new PreservedStep(n, List.of(n.input(0)), g.channels() == 1 ? g : shrink(g)) : null;
    }

    private static QuantGrid shrink(QuantGrid g) {
        return QuantGrid.perTensor(g.levels(), g.inLow()[0], g.inHigh()[0], g.outLow()[0], g.outHigh()[0]);
    }

    private PreservedStep concat(Node n, Map<ValueRef, QuantGrid> grids) {
        int rank = n.output(0).rank();
        int axis = n.attributes().intValue("axis");
        if (axis < 0) {
            axis += rank;
        }
        List<QuantGrid> parts = new ArrayList<>();
        int[] counts = new int[n.inputs().size()];
        for (int i = 0; i < n.inputs().size(); i++) {
            QuantGrid g = grids.get(n.input(i));
            if (g == null) {
                return null;
            }
            parts.add(g);
            counts[i] = graph.port(n.input(i)).shape()[1];
        }
        boolean same = parts.stream().allMatch(p -> p.isPerTensor() && shrink(p).sameAs(shrink(parts.get(0))));
        if (same) {
            return new PreservedStep(n, n.inputs(), shrink(parts.get(0)));
        }
        if (commonGridForConcat && parts.stream().allMatch(p -> p.isPerTensor() && p.levels() == parts.get(0).levels())) {
            QuantGrid common = QuantGrid.union(parts.stream().map(PrecisionPreservingLowering::shrink).toList());
            List<int[]> lookups = new ArrayList<>();
            for (QuantGrid p : parts) {
                lookups.add(shrink(p).sameAs(common) ? null : common.lookupFrom(shrink(p)));
            }
            return new PreservedStep(n, n.inputs(), common, lookups);
        }
        if (axis != 1) {
            return null;
        }
        try {
            return new PreservedStep(n, n.inputs(), QuantGrid.concatChannels(parts.toArray(new QuantGrid[0]), counts));
        } catch (IllegalArgumentException e) {
            return null; // different levels
        }
    }
}
