package dev.lowbit.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.GraphBuilder;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import dev.lowbit.reference.ReferenceEvaluator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostTrainingQuantizerTest {
    private static final double[] W1 = {1, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1};
    private static final double[] W2 = {0.5, -0.25, 1, 2, 0, -1};
    private static final float[] XA = {1, -2, 3, 0.5f};
    private static final float[] XB = {-1, 4, 0, 2};

    /** x[1,4] -> fc1 (W1 [3,4], transpose_b) -> ReLU -> fc2 (W2 [2,3], transpose_b) -> out. */
    private static Graph twoLayerMlp() {
        GraphBuilder b = new GraphBuilder("mlp");
        ValueRef x = b.parameter("x", ElementType.F32, 1, 4);
        ValueRef h = b.matMul("fc1", x, b.constant("w1", Tensor.of(ElementType.F32, new int[] {3, 4}, W1.clone())), false, true);
        h = b.relu("relu", h);
        ValueRef y = b.matMul("fc2", h, b.constant("w2", Tensor.of(ElementType.F32, new int[] {2, 3}, W2.clone())), false, true);
        b.result("out", y);
        return b.build();
    }

    private static List<Map<String, Tensor>> calibration() {
        return List.of(Map.of("x", Tensor.f32(new int[] {1, 4}, XA)), Map.of("x", Tensor.f32(new int[] {1, 4}, XB)));
    }

    @Test
    void insertsAFakeQuantizeCalibratedOnTheObservedRangeInFrontOfEachMatMul() {
        Graph q = new PostTrainingQuantizer().quantize(twoLayerMlp(), calibration()).graph();
        // fc1 sees x: min -2, max 4 -> signed, symmetric a = 4: [-4*128/127, 4].
        assertFakeQuantize(q, "fc1", -4f * 128 / 127, 4f);
        // fc2 sees relu(W1 x): [1, 0, 2.5] and [0, 4, 5] -> unsigned [0, 5].
        assertFakeQuantize(q, "fc2", 0f, 5f);
    }

    @Test
    void replacesWeightsByI8ConstConvertMultiplyWithPerChannelScales() {
        Graph q = new PostTrainingQuantizer().quantize(twoLayerMlp(), calibration()).graph();
        Node fc2 = byName(q, "fc2");
        Node multiply = q.producer(fc2, 1);
        assertTrue(multiply.is("Multiply"), multiply.describe());
        Node convert = q.producer(multiply, 0);
        assertTrue(convert.is("Convert"), convert.describe());
        assertEquals("f32", convert.attributes().string("destination_type"));
        Node i8 = q.producer(convert, 0);
        Node scale = q.producer(multiply, 1);
        assertEquals(ElementType.I8, i8.constant().type());
        assertArrayEquals(new int[] {2, 3}, i8.constant().shape());
        assertArrayEquals(new int[] {2, 1}, scale.constant().shape());
        assertEquals((float) (1.0 / 127), scale.constant().get(0), 0.0);
        assertEquals((float) (2.0 / 127), scale.constant().get(1), 0.0);
        for (int i = 0; i < W2.length; i++) {
            double s = scale.constant().get(i / 3);
            assertTrue(Math.abs(W2[i] - i8.constant().get(i) * s) <= s / 2, "element " + i);
        }
        // The fp32 weight constants are gone.
        assertTrue(q.nodes().stream().noneMatch(n -> n.name().equals("w1") || n.name().equals("w2")));
    }

    @Test
    void quantizedGraphComputesTheFakeQuantizedNetwork() {
        QuantizationResult r = new PostTrainingQuantizer().quantize(twoLayerMlp(), calibration());
        Graph q = r.graph();
        double[] s1 = scales(q, "fc1");
        double[] q1 = ints(q, "fc1");
        double[] s2 = scales(q, "fc2");
        double[] q2 = ints(q, "fc2");
        float[] x = {0.3f, -1.7f, 2.2f, 3.9f};
        // By hand: FakeQuantize as the spec defines it, then the dequantized weights.
        double[] xq = new double[4];
        for (int i = 0; i < 4; i++) {
            xq[i] = fq(x[i], -4f * 128 / 127, 4f);
        }
        double[] h = new double[3];
        for (int o = 0; o < 3; o++) {
            for (int i = 0; i < 4; i++) {
                h[o] += xq[i] * (float) (q1[o * 4 + i] * s1[o]);
            }
            h[o] = fq(Math.max(0, (float) h[o]), 0f, 5f);
        }
        Tensor out = new ReferenceEvaluator(q).run(Map.of("x", Tensor.f32(new int[] {1, 4}, x))).get("out");
        for (int o = 0; o < 2; o++) {
            double y = 0;
            for (int i = 0; i < 3; i++) {
                y += h[i] * (float) (q2[o * 3 + i] * s2[o]);
            }
            // f32 evaluation vs this double computation: a few f32 ulps of values below 20.
            assertEquals(y, out.get(o), 1e-5, "output " + o);
        }
        assertTrue(r.summary().contains("MatMul 'fc1': int8"), r.summary());
    }

    @Test
    void percentileCalibrationClipsTheOutlierAcrossAllInputs() {
        GraphBuilder b = new GraphBuilder("one");
        ValueRef x = b.parameter("x", ElementType.F32, 1, 4);
        b.result("y", b.matMul("fc", x, b.constant("w", Tensor.of(ElementType.F32, new int[] {1, 4}, new double[] {1, 1, 1, 1})),
                false, true));
        // 100 inputs with values 0..399 in total, one outlier 1000 in place of 399.
        List<Map<String, Tensor>> inputs = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            float[] v = {4 * i, 4 * i + 1, 4 * i + 2, i == 99 ? 1000 : 4 * i + 3};
            inputs.add(Map.of("x", Tensor.f32(new int[] {1, 4}, v)));
        }
        Graph q = new PostTrainingQuantizer(RangeEstimator.percentile(99)).quantize(b.build(), inputs).graph();
        // 400 values, nearest rank ceil(0.99 * 400) = 396th smallest = 395; the low end (5th smallest, 4) is
        // not negative, so the interval is unsigned [0, 395].
        assertFakeQuantize(q, "fc", 0f, 395f);
        assertFakeQuantize(new PostTrainingQuantizer().quantize(b.build(), inputs).graph(), "fc", 0f, 1000f);
    }

    @Test
    void quantizesConvolutionWeightsPerOutputChannel() {
        GraphBuilder b = new GraphBuilder("conv");
        ValueRef x = b.parameter("x", ElementType.F32, 1, 1, 3, 3);
        double[] w = {1, 2, 3, 4, -0.1, 0.2, 0.3, 0.05};
        ValueRef c = b.convolution("conv", x, b.constant("w", Tensor.of(ElementType.F32, new int[] {2, 1, 2, 2}, w)),
                new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}, new int[] {1, 1});
        b.result("out", c);
        float[] in = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        Graph q = new PostTrainingQuantizer().quantize(b.build(),
                List.of(Map.of("x", Tensor.f32(new int[] {1, 1, 3, 3}, in)))).graph();
        assertFakeQuantize(q, "conv", 0f, 8f);
        Node scale = q.producer(q.producer(byName(q, "conv"), 1), 1);
        assertArrayEquals(new int[] {2, 1, 1, 1}, scale.constant().shape());
        assertEquals((float) (4.0 / 127), scale.constant().get(0), 0.0);
        assertEquals((float) (0.3 / 127), scale.constant().get(1), 0.0);
    }

    @Test
    void sharesOneFakeQuantizeWhenAValueFeedsTwoLayersAndSkipsNonConstantWeights() {
        GraphBuilder b = new GraphBuilder("shared");
        ValueRef x = b.parameter("x", ElementType.F32, 1, 2);
        ValueRef other = b.parameter("other", ElementType.F32, 2, 2);
        ValueRef w = b.constant("w", Tensor.of(ElementType.F32, new int[] {2, 2}, new double[] {1, 2, 3, 4}));
        b.result("a", b.matMul("a", x, w, false, false));
        b.result("b", b.matMul("b", x, w, false, true));
        b.result("c", b.matMul("c", x, other, false, false));
        Map<String, Tensor> in = Map.of("x", Tensor.f32(new int[] {1, 2}, new float[] {1, 2}),
                "other", Tensor.f32(new int[] {2, 2}, new float[] {1, 0, 0, 1}));
        QuantizationResult r = new PostTrainingQuantizer().quantize(b.build(), List.of(in));
        Graph q = r.graph();
        assertEquals(1, q.nodes().stream().filter(n -> n.is("FakeQuantize")).count());
        assertEquals(q.producer(byName(q, "a"), 0), q.producer(byName(q, "b"), 0));
        assertTrue(q.producer(byName(q, "c"), 0).is("Parameter"), "c stays fp32");
        // Same weights, other channel axis: a (no transpose) scales columns, b (transpose_b) rows.
        assertArrayEquals(new int[] {1, 2}, q.producer(q.producer(byName(q, "a"), 1), 1).constant().shape());
        assertArrayEquals(new int[] {2, 1}, q.producer(q.producer(byName(q, "b"), 1), 1).constant().shape());
        assertTrue(r.summary().contains("MatMul 'c': fp32 (weights (input 1) are not a constant"), r.summary());
    }

    private static void assertFakeQuantize(Graph q, String layer, float low, float high) {
        Node fq = q.producer(byName(q, layer), 0);
        assertTrue(fq.is("FakeQuantize"), layer + " input 0 comes from " + fq.describe());
        assertEquals(256, fq.attributes().intValue("levels"));
        for (int i = 1; i <= 4; i++) {
            Tensor range = q.producer(fq, i).constant();
            assertNotNull(range);
            assertEquals(0, range.rank(), "scalar ranges");
            assertEquals(i % 2 == 1 ? low : high, (float) range.get(0), 0.0, layer + " FakeQuantize input " + i);
        }
    }

    private static double fq(float x, float lo, float hi) {
        if (x <= lo) {
            return lo;
        }
        if (x > hi) {
            return hi;
        }
        float q = (float) Math.rint((x - lo) / (hi - lo) * 255);
        return q / 255f * (hi - lo) + lo;
    }

    private static double[] scales(Graph q, String layer) {
        return q.producer(q.producer(byName(q, layer), 1), 1).constant().toDoubleArray();
    }

    private static double[] ints(Graph q, String layer) {
        return q.producer(q.producer(q.producer(byName(q, layer), 1), 0), 0).constant().toDoubleArray();
    }

    private static Node byName(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }
}
