package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.ConstantValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The low-precision pipeline: walks the graph in topological order and lowers each node with the first rule that
 * can transform it, in this order: {@link ConvolutionLowering} and {@link MatMulLowering} (with
 * {@link WeightFolding} and {@link EpilogueFusion}), {@link FakeQuantizeDecomposition}, {@link
 * QuantizedAddLowering}, {@link PrecisionPreservingLowering}; everything else is an {@link Fp32Step}. Constant subgraphs (weights, shapes,
 * prior boxes) produce no step. Stateless; thread-safe.
 */
public final class LowPrecisionPipeline {
    private final boolean commonGridForConcat;
    private final double maxBorderResidual;
    private final Predicate<QuantizedLinear> carriesBorderTerm;

    /** The exact pipeline (its layers carry their border terms, which the {@link Int8Simulator} applies). */
    public LowPrecisionPipeline() {
        this(false);
    }

    /**
     * The pipeline for the generated int8 kernels, which pad with the integer zero point: a convolution whose zero
     * point lies more than {@link ConvolutionLowering#KERNELS_MAX_BORDER_RESIDUAL} of a level from that integer stays
     * fp32 unless its kernel {@code carriesBorderTerm} (the generator's answer for the layer as lowered).
     */
    public static LowPrecisionPipeline forGeneratedKernels(Predicate<QuantizedLinear> carriesBorderTerm) {
        return new LowPrecisionPipeline(false, ConvolutionLowering.KERNELS_MAX_BORDER_RESIDUAL, carriesBorderTerm);
    }

    /**
     * {@code commonGridForConcat}: requantize Concat inputs with different grids to a common one (as OpenVINO's
     * CPU plugin needs for a per-tensor convolution input) instead of keeping per-channel grids and accumulating
     * per run of channels. Inexact; every such Concat gets a note.
     */
    public LowPrecisionPipeline(boolean commonGridForConcat) {
        this(commonGridForConcat, Double.POSITIVE_INFINITY, l -> true);
    }

    private LowPrecisionPipeline(boolean commonGridForConcat, double maxBorderResidual,
            Predicate<QuantizedLinear> carriesBorderTerm) {
        this.commonGridForConcat = commonGridForConcat;
        this.maxBorderResidual = maxBorderResidual;
        this.carriesBorderTerm = carriesBorderTerm;
    }

    public LoweredModel lower(Graph graph) {
        ConstantValues constants = new ConstantValues(graph);
        ConvolutionLowering conv = new ConvolutionLowering(constants, maxBorderResidual, carriesBorderTerm);
        MatMulLowering matmul = new MatMulLowering(constants);
        FakeQuantizeDecomposition fqd = new FakeQuantizeDecomposition(constants);
        PrecisionPreservingLowering preserving = new PrecisionPreservingLowering(constants, commonGridForConcat);
        QuantizedAddLowering adds = new QuantizedAddLowering(constants);

        List<LoweredStep> steps = new ArrayList<>();
        Map<ValueRef, QuantGrid> grids = new HashMap<>();
        List<String> notes = new ArrayList<>();
        List<LoweredModel.LinearLayer> linear = new ArrayList<>();
        Set<Integer> fused = new HashSet<>();
        for (Node n : graph.nodes()) {
            if (n.is("Parameter") || n.is("Result") || fused.contains(n.id()) || constants.isConstantNode(n)) {
                continue;
            }
            QuantizedLinear lowered = null;
            String reason = null;
            if (ConvolutionLowering.applies(n)) {
                ConvolutionLowering.Result r = conv.lower(n, grids);
                lowered = r.step();
                reason = r.reason();
            } else if (MatMulLowering.applies(n)) {
                MatMulLowering.Result r = matmul.lower(n, grids);
                lowered = r.step();
                reason = r.reason();
            }
            if (lowered != null) {
                steps.add(lowered);
                lowered.fused().forEach(f -> fused.add(f.id()));
                if (lowered.requant() != null) {
                    grids.put(lowered.output(), lowered.requant());
                }
                linear.add(new LoweredModel.LinearLayer(n, lowered.macs(), true));
                for (String a : lowered.approximations()) {
                    notes.add(n.describe() + ": int8 with an approximation: " + a);
                }
                continue;
            }
            if (reason != null || n.is("ConvolutionBackpropData")) {
                linear.add(new LoweredModel.LinearLayer(n, fp32Macs(graph, n), false));
                String why = reason != null ? reason : "ConvolutionBackpropData has no int8 lowering"
                        + (grids.containsKey(n.input(0)) ? "" : " (and its input is not quantized in the IR)");
                notes.add(n.describe() + ": stays fp32: " + why);
                steps.add(new Fp32Step(n, variableInputs(constants, n), why));
                continue;
            }
            if (n.is("FakeQuantize")) {
                FakeQuantizeDecomposition.Result r = fqd.decompose(n);
                if (r.grid() != null) {
                    steps.add(new QuantizeStep(n, n.input(0), r.grid()));
                    grids.put(n.out(0), r.grid());
                    continue;
                }
                notes.add(n.describe() + ": FakeQuantize applied literally in fp32: " + r.reason());
            } else if (QuantizedAddLowering.applies(n) && adds.lower(n, grids) != null) {
                QuantizedAddStep a = adds.lower(n, grids);
                steps.add(a);
                fused.add(a.fakeQuantize().id());
                grids.put(a.output(), a.grid());
                continue;
            } else if (PrecisionPreservingLowering.applies(n)) {
                PreservedStep p = preserving.lower(n, grids);
                if (p != null) {
                    if (p.lookups().stream().anyMatch(java.util.Objects::nonNull)) {
                        notes.add(n.describe() + ": inputs requantized to the common grid " + p.grid()
                                + " (approximation: up to half a level of it per value)");
                    }
                    steps.add(p);
                    grids.put(n.out(0), p.grid());
                    continue;
                }
            }
            steps.add(new Fp32Step(n, variableInputs(constants, n), null));
        }
        return new LoweredModel(graph, steps, grids, constants, notes, linear);
    }

    private static List<ValueRef> variableInputs(ConstantValues constants, Node n) {
        return n.inputs().stream().filter(v -> !constants.isConstant(v)).toList();
    }

    /** MACs of a weighted layer from its declared shapes (output elements x reduction length). */
    static long fp32Macs(Graph g, Node n) {
        long out = n.output(0).size();
        int[] w = g.port(n.input(1)).shape();
        if (n.is("MatMul")) {
            int[] a = g.port(n.input(0)).shape();
            return out * a[n.attributes().bool("transpose_a", false) ? a.length - 2 : a.length - 1];
        }
        long k = 1;
        if (n.is("GroupConvolution")) {
            for (int i = 2; i < w.length; i++) {
                k *= w[i];
            }
        } else if (n.is("ConvolutionBackpropData")) {
            // each input element meets C_out x kernel weights: MACs = input elements x C_out x kernel
            long in = g.port(n.input(0)).size();
            for (int i = 1; i < w.length; i++) {
                k *= w[i];
            }
            return in * k;
        } else {
            for (int i = 1; i < w.length; i++) {
                k *= w[i];
            }
        }
        return out * k;
    }
}
