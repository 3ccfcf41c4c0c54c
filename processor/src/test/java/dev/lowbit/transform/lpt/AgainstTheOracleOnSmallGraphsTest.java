package dev.lowbit.transform.lpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import dev.lowbit.reference.ReferenceEvaluator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Small graphs lowered and simulated, compared with the oracle (the reference evaluator on the same graph,
 * FakeQuantize literal): Concat of differently quantized branches through MaxPool into an int8 convolution,
 * a bias Add whose output is also used elsewhere (so the epilogue must stop before it), a PReLU fused between two
 * int8 layers, PReLUs that stay fp32 (after a layer summing two grids, or with a slope that is an input), and a
 * batch norm's Multiply and Add after ReLU in the fp32 epilogue.
 */
class AgainstTheOracleOnSmallGraphsTest {
    private static final Random R = new Random(13);

    private static ValueRef fq(TinyGraph t, ValueRef x, float lo, float hi, int[] shape) {
        return t.fakeQuantize(x, 256, t.scalar(lo), t.scalar(hi), t.scalar(lo), t.scalar(hi), shape);
    }

    private static ValueRef int8Weights(TinyGraph t, int o, int i, int k) {
        double[] w = new double[o * i * k * k];
        for (int n = 0; n < w.length; n++) {
            w[n] = R.nextInt(255) - 127;
        }
        double[] s = new double[o];
        for (int n = 0; n < o; n++) {
            s[n] = 0.002 + 0.004 * R.nextDouble();
        }
        int[] shape = {o, i, k, k};
        ValueRef c = t.constant(ElementType.I8, shape, w);
        ValueRef cv = t.op("Convert", Map.of("destination_type", "f32"), shape, c);
        return t.op("Multiply", Map.of(), shape, cv, t.constant(ElementType.F32, new int[] {o, 1, 1, 1}, s));
    }

    private static Tensor random(int[] shape) {
        double[] v = new double[dev.lowbit.graph.Shapes.size(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = R.nextGaussian();
        }
        return Tensor.of(ElementType.F32, shape, v);
    }

    /** Runs both and checks every quantized value within one level, differing for at most {@code maxFlips}. */
    private static void compare(Graph g, Map<String, Tensor> in, int maxFlips) {
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        Map<ValueRef, Object> ours = new Int8Simulator(m).runAll(in);
        Map<ValueRef, Tensor> theirs = new ReferenceEvaluator(g).runAll(in);
        int flips = 0;
        for (ValueRef v : m.grids().keySet()) {
            Int8Simulator.Levels q = (Int8Simulator.Levels) ours.get(v);
            int[] want = LowPrecisionOnOmzModelsTest.levelsOf(theirs.get(v), m.grid(v)).q();
            for (int i = 0; i < want.length; i++) {
                assertTrue(Math.abs(want[i] - q.q()[i]) <= 1, g.node(v.node()).describe() + " at " + i);
                flips += want[i] != q.q()[i] ? 1 : 0;
            }
        }
        assertTrue(flips <= maxFlips, flips + " flips");
        Map<String, Tensor> out = new Int8Simulator(m).run(in);
        Map<String, Tensor> ref = new ReferenceEvaluator(g).run(in);
        for (String k : ref.keySet()) {
            for (int i = 0; i < ref.get(k).size(); i++) {
                // fp32 outputs: f32 epilogue vs the oracle's double accumulation, values below 10 here
                assertEquals(ref.get(k).get(i), out.get(k).get(i), 1e-4, k + " at " + i);
            }
        }
    }

    @Test
    void concatOfDifferentGridsThroughMaxPoolIntoAnInt8Convolution() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 3, 6, 6);
        ValueRef b = t.parameter("b", 1, 2, 6, 6);
        ValueRef qa = fq(t, a, 0f, 2.517578125f, new int[] {1, 3, 6, 6});
        ValueRef qb = fq(t, b, 0f, 1.646484375f, new int[] {1, 2, 6, 6});
        ValueRef cat = t.op("Concat", Map.of("axis", "1"), new int[] {1, 5, 6, 6}, qa, qb);
        ValueRef pool = t.op("MaxPool", Map.of("kernel", "2,2", "strides", "2,2", "pads_begin", "0,0", "pads_end", "0,0",
                "rounding_type", "floor"), new int[] {1, 5, 3, 3}, cat);
        ValueRef conv = t.op("Convolution", TinyGraph.conv("1,1", "1,1"), new int[] {1, 4, 3, 3}, pool, int8Weights(t, 4, 5, 3));
        ValueRef add = t.op("Add", Map.of(), new int[] {1, 4, 3, 3}, conv,
                t.constant(ElementType.F32, new int[] {1, 4, 1, 1}, 0.1, -0.1, 0.2, 0));
        ValueRef relu = t.op("ReLU", Map.of(), new int[] {1, 4, 3, 3}, add);
        t.result(fq(t, relu, 0f, 1.5f, new int[] {1, 4, 3, 3}));
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        QuantizedLinear l = (QuantizedLinear) m.steps().stream().filter(s -> s instanceof QuantizedLinear).findFirst().orElseThrow();
        assertEquals(2, l.segments().size());
        assertEquals(3, l.fused().size());
        compare(g, Map.of("a", random(new int[] {1, 3, 6, 6}), "b", random(new int[] {1, 2, 6, 6})), 1);
    }

    @Test
    void epilogueStopsAtAValueWithSeveralConsumers() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 2, 5, 5);
        ValueRef qa = fq(t, a, -1f, 1f, new int[] {1, 2, 5, 5});
        ValueRef conv = t.op("Convolution", TinyGraph.conv("1,1", "1,1"), new int[] {1, 3, 5, 5}, qa, int8Weights(t, 3, 2, 3));
        ValueRef add = t.op("Add", Map.of(), new int[] {1, 3, 5, 5}, conv,
                t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0.1, -0.1, 0.2));
        ValueRef relu = t.op("ReLU", Map.of(), new int[] {1, 3, 5, 5}, add);
        t.result(add);
        t.result(fq(t, relu, 0f, 0.5f, new int[] {1, 3, 5, 5}));
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        QuantizedLinear l = assertInstanceOf(QuantizedLinear.class, m.steps().get(1));
        assertEquals(List.of("Add"), l.fused().stream().map(n -> n.type()).toList());
        assertEquals(null, l.requant());
        compare(g, Map.of("a", random(new int[] {1, 2, 5, 5})), 1);
    }

    @Test
    void preluIsFusedIntoTheEpilogueBetweenTwoInt8Layers() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 2, 5, 5);
        ValueRef qa = fq(t, a, -1.0039062f, 0.98828125f, new int[] {1, 2, 5, 5}); // fractional zero point
        ValueRef c1 = t.op("Convolution", TinyGraph.conv("1,1", "1,1"), new int[] {1, 3, 5, 5}, qa, int8Weights(t, 3, 2, 3));
        ValueRef b1 = t.op("Add", Map.of(), new int[] {1, 3, 5, 5}, c1,
                t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0.1, -0.1, 0.2));
        ValueRef pr = t.op("PReLU", Map.of(), new int[] {1, 3, 5, 5}, b1,
                t.constant(ElementType.F32, new int[] {3}, 0.1, 0.2, 0.3));
        ValueRef q2 = fq(t, pr, -0.2f, 1.2f, new int[] {1, 3, 5, 5});
        ValueRef c2 = t.op("Convolution", TinyGraph.conv("2,2", "1,1"), new int[] {1, 2, 3, 3}, q2, int8Weights(t, 2, 3, 3));
        t.result(c2);
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        assertEquals(List.of(QuantizeStep.class, QuantizedLinear.class, QuantizedLinear.class),
                m.steps().stream().map(Object::getClass).toList());
        QuantizedLinear l = (QuantizedLinear) m.steps().get(1);
        assertEquals(List.of("Add", "PReLU", "FakeQuantize"), l.fused().stream().map(n -> n.type()).toList());
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, l.preluSlope());
        assertTrue(l.needsBorderTerm());
        compare(g, Map.of("a", random(new int[] {1, 2, 5, 5})), 1);
    }

    @Test
    void preluStaysFp32AfterALayerSummingTwoGridsOrWithASlopeThatIsNotAConstant() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 3, 6, 6);
        ValueRef b = t.parameter("b", 1, 2, 6, 6);
        ValueRef slope = t.parameter("slope", 1);
        ValueRef cat = t.op("Concat", Map.of("axis", "1"), new int[] {1, 5, 6, 6},
                fq(t, a, 0f, 2.517578125f, new int[] {1, 3, 6, 6}), fq(t, b, 0f, 1.646484375f, new int[] {1, 2, 6, 6}));
        ValueRef c1 = t.op("Convolution", TinyGraph.conv("1,1", "1,1"), new int[] {1, 4, 6, 6}, cat, int8Weights(t, 4, 5, 3));
        ValueRef p1 = t.op("PReLU", Map.of(), new int[] {1, 4, 6, 6}, c1, t.constant(ElementType.F32, new int[] {1}, 0.25));
        ValueRef c2 = t.op("Convolution", TinyGraph.conv("1,1", "1,1"), new int[] {1, 2, 6, 6},
                fq(t, p1, -0.5f, 1.5f, new int[] {1, 4, 6, 6}), int8Weights(t, 2, 4, 3));
        t.result(t.op("PReLU", Map.of(), new int[] {1, 2, 6, 6}, c2, slope));
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        List<QuantizedLinear> layers = m.steps().stream().filter(s -> s instanceof QuantizedLinear)
                .map(s -> (QuantizedLinear) s).toList();
        assertEquals(2, layers.size());
        assertEquals(2, layers.get(0).segments().size());
        for (QuantizedLinear l : layers) {
            assertNull(l.preluSlope(), l.node().describe());
            assertEquals(List.of(), l.fused(), l.node().describe());
        }
        assertEquals(2, m.steps().stream().filter(s -> s instanceof Fp32Step f && f.node().is("PReLU")).count());
        compare(g, Map.of("a", random(new int[] {1, 3, 6, 6}), "b", random(new int[] {1, 2, 6, 6}),
                "slope", random(new int[] {1})), 1);
    }

    @Test
    void aBatchNormAfterReluIsFusedIntoTheFp32EpilogueUnlessAFakeQuantizeTakesIt() {
        // head-pose-estimation's pattern: Convolution, bias Add, ReLU, then a per-channel Multiply and Add in fp32
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 2, 5, 5);
        ValueRef qa = fq(t, a, -1f, 1f, new int[] {1, 2, 5, 5});
        int[] shape = {1, 3, 5, 5};
        ValueRef c1 = t.op("Convolution", TinyGraph.conv("1,1", "1,1"), shape, qa, int8Weights(t, 3, 2, 3));
        ValueRef b1 = t.op("Add", Map.of(), shape, c1, t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0.1, -0.1, 0.2));
        ValueRef r1 = t.op("ReLU", Map.of(), shape, b1);
        ValueRef m1 = t.op("Multiply", Map.of(), shape, t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 1.5, -0.75, 2),
                r1);
        ValueRef a1 = t.op("Add", Map.of(), shape, m1, t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, -0.25, 0.5, 0));
        // an fp32 MaxPool reads it (head-pose: an fp32 convolution), then the second layer, whose batch norm feeds a
        // FakeQuantize: the quantize step applies that one on the way to levels
        int[] pooled = {1, 3, 4, 4};
        ValueRef p1 = t.op("MaxPool", Map.of("kernel", "2,2", "strides", "1,1", "pads_begin", "0,0", "pads_end", "0,0",
                "rounding_type", "floor"), pooled, a1);
        ValueRef c2 = t.op("Convolution", TinyGraph.conv("1,1", "1,1"), pooled, fq(t, p1, -1f, 2f, pooled),
                int8Weights(t, 3, 3, 3));
        ValueRef r2 = t.op("ReLU", Map.of(), pooled, c2);
        ValueRef m2 = t.op("Multiply", Map.of(), pooled, r2, t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0.5, 1, 2));
        ValueRef a2 = t.op("Add", Map.of(), pooled, m2, t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0, 0.1, 0.2));
        t.result(fq(t, a2, 0f, 3f, pooled));
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        List<QuantizedLinear> layers = m.steps().stream().filter(s -> s instanceof QuantizedLinear)
                .map(s -> (QuantizedLinear) s).toList();
        assertEquals(2, layers.size());
        QuantizedLinear first = layers.get(0);
        assertEquals(List.of("Add", "ReLU", "Multiply", "Add"), first.fused().stream().map(n -> n.type()).toList());
        assertArrayEquals(new float[] {1.5f, -0.75f, 2f}, first.postScale());
        assertArrayEquals(new float[] {-0.25f, 0.5f, 0f}, first.postShift());
        assertEquals(a1, first.output());
        QuantizedLinear second = layers.get(1);
        assertEquals(List.of("ReLU"), second.fused().stream().map(n -> n.type()).toList());
        assertNull(second.postScale());
        assertNull(second.postShift());
        compare(g, Map.of("a", random(new int[] {1, 2, 5, 5})), 2);
    }

    @Test
    void perChannelFakeQuantizeAfterAConvolutionBecomesAPerChannelRequantization() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 2, 5, 5);
        ValueRef qa = fq(t, a, 0f, 2f, new int[] {1, 2, 5, 5});
        ValueRef conv = t.op("Convolution", TinyGraph.conv("1,1", "0,0"), new int[] {1, 3, 3, 3}, qa, int8Weights(t, 3, 2, 3));
        ValueRef lo = t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, -0.5, -1, -0.25);
        ValueRef hi = t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0.5, 1.2, 0.25);
        t.result(t.fakeQuantize(conv, 256, lo, hi, lo, hi, new int[] {1, 3, 3, 3}));
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        QuantizedLinear l = assertInstanceOf(QuantizedLinear.class, m.steps().get(1));
        assertEquals(3, l.requant().channels());
        compare(g, Map.of("a", random(new int[] {1, 2, 5, 5})), 1);
    }

    @Test
    void groupConvolutionWithTwoChannelsPerGroupAndSameUpperPaddingStrideAndDilation() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 4, 7, 6);
        ValueRef qa = fq(t, a, -1.5f, 1.5f, new int[] {1, 4, 7, 6});
        ValueRef w = int8Weights(t, 6, 2, 3); // 2 groups x 3 outputs, 2 inputs per group
        ValueRef r = t.op("Reshape", Map.of("special_zero", "false"), new int[] {2, 3, 2, 3, 3}, w,
                t.constant(ElementType.I64, new int[] {5}, 2, 3, 2, 3, 3));
        Map<String, String> attrs = Map.of("strides", "2,2", "dilations", "2,2", "pads_begin", "0,0", "pads_end", "0,0",
                "auto_pad", "same_upper");
        // same_upper: out = ceil(in / stride) = 4 x 3
        ValueRef conv = t.op("GroupConvolution", attrs, new int[] {1, 6, 4, 3}, qa, r);
        t.result(conv);
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        QuantizedLinear l = assertInstanceOf(QuantizedLinear.class, m.steps().get(1));
        assertEquals(2, l.groups());
        assertEquals(2, l.segments().size()); // one per group, same grid
        compare(g, Map.of("a", random(new int[] {1, 4, 7, 6})), 0);
    }

    @Test
    void residualAddOfDifferentlyQuantizedTensorsStaysU8AndIsExact() {
        TinyGraph t = new TinyGraph();
        int[] shape = {1, 3, 4, 4};
        ValueRef a = t.parameter("a", shape);
        ValueRef b = t.parameter("b", shape);
        ValueRef qa = fq(t, a, -1.0039062f, 0.98828125f, shape);
        ValueRef lo = t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0, 0, 0);
        ValueRef hi = t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 1, 2, 3);
        ValueRef qb = t.fakeQuantize(b, 256, lo, hi, lo, hi, shape);
        ValueRef add = t.op("Add", Map.of(), shape, qa, qb);
        t.result(fq(t, add, -1f, 3f, shape));
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        assertEquals(List.of(QuantizeStep.class, QuantizeStep.class, QuantizedAddStep.class),
                m.steps().stream().map(Object::getClass).toList());
        // the IR's own arithmetic: not a single level may differ
        compare(g, Map.of("a", random(shape), "b", random(shape)), 0);
    }
}
