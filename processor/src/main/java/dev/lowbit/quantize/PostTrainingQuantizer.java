package dev.lowbit.quantize;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.GraphBuilder;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Post-training quantization of an fp32 graph into the INT8 form OpenVINO's POT/NNCF emit:
 * <ul>
 *   <li>an activation FakeQuantize (levels 256, scalar ranges, input range = output range) in front of the
 *       data input of every Convolution and MatMul with constant weights, its interval calibrated on the
 *       given inputs (see {@link ActivationRange#fakeQuantizeInterval()}); one FakeQuantize per value, shared
 *       when a value feeds several such layers;</li>
 *   <li>their weights per-output-channel symmetric i8 in compressed form, {@code Const i8 -> Convert(f32)
 *       -> Multiply(Const f32 scale)} (see {@link QuantizedWeights}).</li>
 * </ul>
 * Everything else is copied unchanged; fp32 weight constants used only by quantized layers are dropped.
 * Layers that cannot be quantized are listed in the result with the reason. Immutable, thread-safe.
 */
public final class PostTrainingQuantizer {
    private final RangeEstimator estimator;

    public PostTrainingQuantizer(RangeEstimator estimator) {
        this.estimator = estimator;
    }

    /** Min/max calibration. */
    public PostTrainingQuantizer() {
        this(RangeEstimator.minMax());
    }

    /** Quantizes {@code fp32}, calibrating activations on {@code calibration} (inputs by Parameter name). */
    public QuantizationResult quantize(Graph fp32, List<Map<String, Tensor>> calibration) {
        List<QuantizationTarget> targets = QuantizationTarget.find(fp32);
        Set<ValueRef> observed = new LinkedHashSet<>();
        Map<Integer, QuantizationTarget> byNode = new HashMap<>();
        for (QuantizationTarget t : targets) {
            if (t.quantized()) {
                observed.add(t.op().input(0));
                byNode.put(t.op().id(), t);
            }
        }
        Map<ValueRef, ActivationRange> ranges = observed.isEmpty() ? Map.of()
                : new ActivationCalibrator(fp32, estimator).calibrate(observed, calibration);

        GraphBuilder b = new GraphBuilder(fp32.name(), fp32.source());
        Map<ValueRef, ValueRef> mapped = new HashMap<>();
        Map<ValueRef, ValueRef> fakeQuantized = new HashMap<>();
        List<QuantizationResult.Layer> report = new ArrayList<>();
        for (Node n : fp32.nodes()) {
            if (n.is("Const") && onlyQuantizedWeights(fp32, n, byNode)) {
                continue;
            }
            QuantizationTarget t = byNode.get(n.id());
            List<ValueRef> inputs = new ArrayList<>();
            for (ValueRef in : n.inputs()) {
                inputs.add(mapped.get(in));
            }
            if (t != null) {
                ValueRef data = n.input(0);
                ActivationRange range = ranges.get(data);
                float[] interval = range.fakeQuantizeInterval();
                inputs.set(0, fakeQuantized.computeIfAbsent(data,
                        d -> fakeQuantize(b, n.name() + "/fq_input_0", mapped.get(d), interval)));
                inputs.set(1, compressedWeights(b, n.name() + "/fq_weights_1",
                        fp32.producer(n, 1).constant(), t.channelAxis()));
                report.add(new QuantizationResult.Layer(n.name(), n.type(), range, interval, null));
            } else if (n.is("Convolution") || n.is("MatMul") || n.is("GroupConvolution")
                    || n.is("ConvolutionBackpropData")) {
                String reason = targets.stream().filter(x -> x.op().id() == n.id()).findFirst()
                        .map(QuantizationTarget::skipReason).orElse("not a target");
                report.add(new QuantizationResult.Layer(n.name(), n.type(), null, null, reason));
            }
            Node copy = b.copy(n, inputs);
            for (int i = 0; i < n.outputs().size(); i++) {
                mapped.put(n.out(i), copy.out(i));
            }
        }
        return new QuantizationResult(b.build(), report);
    }

    private static boolean onlyQuantizedWeights(Graph g, Node constant, Map<Integer, QuantizationTarget> targets) {
        List<Graph.Use> uses = g.consumers(constant.out(0));
        return !uses.isEmpty() && uses.stream().allMatch(u -> u.inputPosition() == 1 && targets.containsKey(u.node().id()));
    }

    private static ValueRef fakeQuantize(GraphBuilder b, String name, ValueRef x, float[] interval) {
        ValueRef lo = b.constant(name + "/input_low", Tensor.scalar(ElementType.F32, interval[0]));
        ValueRef hi = b.constant(name + "/input_high", Tensor.scalar(ElementType.F32, interval[1]));
        ValueRef olo = b.constant(name + "/output_low", Tensor.scalar(ElementType.F32, interval[0]));
        ValueRef ohi = b.constant(name + "/output_high", Tensor.scalar(ElementType.F32, interval[1]));
        return b.fakeQuantize(name, x, lo, hi, olo, ohi, ActivationRange.LEVELS);
    }

    /** Const i8 -> Convert(f32) -> Multiply(per-channel scale): OpenVINO's compressed-weights pattern. */
    private static ValueRef compressedWeights(GraphBuilder b, String name, Tensor weights, int channelAxis) {
        QuantizedWeights q = QuantizedWeights.perChannel(weights, channelAxis);
        ValueRef i8 = b.constant(name + "/int8", q.values());
        ValueRef f32 = b.convert(name + "/convert", i8, ElementType.F32);
        ValueRef scale = b.constant(name + "/scale", q.scale());
        return b.multiply(name, f32, scale);
    }
}
