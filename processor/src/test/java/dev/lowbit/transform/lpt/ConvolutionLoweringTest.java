package dev.lowbit.transform.lpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * x -> FakeQuantize -> Convolution(A weights) -> Add(bias) -> ReLU -> FakeQuantize, lowered to one int8 layer with
 * a fused requantization, simulated, and compared with the same model computed in double by hand in this test.
 */
class ConvolutionLoweringTest {
    private static final int C = 2, O = 3, H = 5, W = 4;
    private static final double[] WQ = new double[O * C * 9];
    private static final double[] SCALES = {0.02, 0.01, 0.03};
    private static final double[] BIAS = {0.1, -0.2, 0.05};

    static {
        Random r = new Random(7);
        for (int i = 0; i < WQ.length; i++) {
            WQ[i] = r.nextInt(255) - 127;
        }
    }

    private record Built(Graph graph, ValueRef out) {}

    private static Built build(float inLow, float inHigh, String strides) {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, C, H, W);
        int[] in = {1, C, H, W};
        ValueRef fq = t.fakeQuantize(x, 256, t.scalar(inLow), t.scalar(inHigh), t.scalar(inLow), t.scalar(inHigh), in);
        ValueRef w = t.constant(ElementType.I8, new int[] {O, C, 3, 3}, WQ);
        ValueRef cv = t.op("Convert", Map.of("destination_type", "f32"), new int[] {O, C, 3, 3}, w);
        ValueRef s = t.constant(ElementType.F32, new int[] {O, 1, 1, 1}, SCALES);
        ValueRef m = t.op("Multiply", Map.of(), new int[] {O, C, 3, 3}, cv, s);
        int sh = strides.equals("1,1") ? 1 : 2;
        int[] out = {1, O, (H + 2 - 3) / sh + 1, (W + 2 - 3) / sh + 1};
        ValueRef conv = t.op("Convolution", TinyGraph.conv(strides, "1,1"), out, fq, m);
        ValueRef b = t.constant(ElementType.F32, new int[] {1, O, 1, 1}, BIAS);
        ValueRef add = t.op("Add", Map.of(), out, conv, b);
        ValueRef relu = t.op("ReLU", Map.of(), out, add);
        ValueRef fq2 = t.fakeQuantize(relu, 256, t.scalar(0), t.scalar(3), t.scalar(0), t.scalar(3), out);
        t.result(fq2);
        return new Built(t.build(), fq2);
    }

    private static float[] input(long seed) {
        Random r = new Random(seed);
        float[] x = new float[C * H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 0.8);
        }
        return x;
    }

    /**
     * The model evaluated by hand in double (FakeQuantize in f32 as specified): the real-valued level of the last
     * FakeQuantize before rounding, so a test can tell a rounding-boundary flip from an error.
     */
    private static double[] byHand(float[] x, float lo, float hi, int stride, int[] out) {
        float[] xq = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            xq[i] = FakeQuantizeDecompositionTest.fakeQuantize(x[i], 256, lo, hi, lo, hi);
        }
        int oh = out[2], ow = out[3];
        double[] levels = new double[O * oh * ow];
        for (int o = 0; o < O; o++) {
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    double acc = 0;
                    for (int c = 0; c < C; c++) {
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = y * stride - 1 + ky, ix = xx * stride - 1 + kx;
                                if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
                                    float wf = (float) (WQ[((o * C + c) * 3 + ky) * 3 + kx] * (float) SCALES[o]);
                                    acc += xq[(c * H + iy) * W + ix] * (double) wf;
                                }
                            }
                        }
                    }
                    float v = Math.max(0f, (float) acc + (float) BIAS[o]);
                    levels[(o * oh + y) * ow + xx] = Math.min(255, v / 3.0 * 255);
                }
            }
        }
        return levels;
    }

    @Test
    void fusesBiasReluAndRequantizationIntoOneInt8Layer() {
        Built b = build(0f, 2f, "1,1");
        LoweredModel m = new LowPrecisionPipeline().lower(b.graph());
        List<LoweredStep> steps = m.steps();
        assertEquals(2, steps.size(), m.steps().toString());
        assertInstanceOf(QuantizeStep.class, steps.get(0));
        QuantizedLinear l = assertInstanceOf(QuantizedLinear.class, steps.get(1));
        assertEquals(List.of("Add", "ReLU", "FakeQuantize"), l.fused().stream().map(n -> n.type()).toList());
        assertTrue(l.relu());
        assertNotNull(l.requant());
        assertArrayEquals(new float[] {0.1f, -0.2f, 0.05f}, l.bias()); // zero point 0: nothing added
        assertEquals(1, l.segments().size());
        assertEquals((float) (2.0 / 255 * (float) 0.02), l.multiplier()[0][0], 1e-9);
        assertEquals(0, l.compensation()[0][0]);
        assertEquals(1.0, m.int8MacFraction());
        assertTrue(m.notes().isEmpty(), m.notes().toString());
        assertTrue(m.dump().contains("int8 CONVOLUTION " + l.node().describe() + " + [Add, ReLU, FakeQuantize] relu"),
                m.dump());
    }

    @Test
    void simulatedLevelsEqualTheHandComputedModelWithIntegerZeroPoint() {
        // [-0.5, 2.0]: step 2.5/255, zero point exactly 51 -> padding with level 51 is exact
        for (String strides : new String[] {"1,1", "2,2"}) {
            Built b = build(-0.5f, 2.0f, strides);
            LoweredModel m = new LowPrecisionPipeline().lower(b.graph());
            QuantizedLinear l = (QuantizedLinear) m.steps().get(1);
            assertEquals(51, l.segments().get(0).padLevel());
            long sum0 = l.weights().rowSum(0, 0, C * 9);
            assertEquals(51 * sum0, l.compensation()[0][0]);
            assertTrue(l.approximations().isEmpty(), l.approximations().toString());
            for (long seed = 0; seed < 20; seed++) {
                float[] x = input(seed);
                Int8Simulator.Levels got = (Int8Simulator.Levels) new Int8Simulator(m)
                        .runAll(Map.of("x", Tensor.f32(new int[] {1, C, H, W}, x))).get(b.out());
                double[] want = byHand(x, -0.5f, 2.0f, strides.equals("1,1") ? 1 : 2, got.shape());
                assertSameLevels(want, got.q(), "seed " + seed + " strides " + strides);
            }
        }
    }

    @Test
    void nonIntegerZeroPointIsExactThanksToTheBorderTerm() {
        float lo = -0.5039f, hi = 2.0f; // zero point 51.36...
        Built b = build(lo, hi, "1,1");
        LoweredModel m = new LowPrecisionPipeline().lower(b.graph());
        QuantizedLinear l = (QuantizedLinear) m.steps().get(1);
        assertTrue(l.needsBorderTerm());
        assertTrue(l.approximations().isEmpty(), l.approximations().toString());
        assertTrue(m.notes().isEmpty(), m.notes().toString());
        for (long seed = 0; seed < 20; seed++) {
            float[] x = input(seed);
            Int8Simulator.Levels got = (Int8Simulator.Levels) new Int8Simulator(m)
                    .runAll(Map.of("x", Tensor.f32(new int[] {1, C, H, W}, x))).get(b.out());
            assertSameLevels(byHand(x, lo, hi, 1, got.shape()), got.q(), "seed " + seed);
        }
        // Without the border term (a kernel that pads with the integer zero point 51 and stops there), border
        // outputs are off by s * 0.36 * sum(padded w): several levels here, so the term is not optional.
        int worst = 0;
        for (long seed = 0; seed < 20; seed++) {
            float[] x = input(seed);
            Int8Simulator.Levels got = (Int8Simulator.Levels) new Int8Simulator(m, false)
                    .runAll(Map.of("x", Tensor.f32(new int[] {1, C, H, W}, x))).get(b.out());
            double[] exact = byHand(x, lo, hi, 1, got.shape());
            for (int i = 0; i < exact.length; i++) {
                worst = Math.max(worst, Math.abs(got.q()[i] - (int) Math.rint(Math.max(0, exact[i]))));
            }
        }
        assertTrue(worst >= 2, "worst " + worst);
        // so the pipeline of the generated kernels leaves this layer in fp32, with the reason, where its kernel would
        // omit the term (the int8 kernel), and lowers it where its kernel carries it (FMA and depthwise kernels)
        LoweredModel forKernels = LowPrecisionPipeline.forGeneratedKernels(layer -> false).lower(b.graph());
        assertInstanceOf(Fp32Step.class, forKernels.steps().get(1));
        assertTrue(forKernels.notes().stream().anyMatch(n -> n.contains("stays fp32") && n.contains("of a level from the integer level")
                && n.contains("border term")), forKernels.notes().toString());
        assertInstanceOf(QuantizedLinear.class, LowPrecisionPipeline.forGeneratedKernels(layer -> true).lower(b.graph())
                .steps().get(1));
    }

    /**
     * Levels must equal the rounded hand-computed level, except one step off where the exact value lies within 1e-4
     * of a rounding boundary: the simulator's f32 epilogue and the double computation may round such a value
     * differently (relative f32 error ~1e-7 of values up to 255 is ~3e-5), and nothing else may differ.
     */
    private static void assertSameLevels(double[] exact, int[] got, String where) {
        for (int i = 0; i < exact.length; i++) {
            int want = (int) Math.rint(Math.max(0, exact[i]));
            if (want != got[i]) {
                double fromBoundary = Math.abs(exact[i] - Math.floor(exact[i]) - 0.5);
                assertTrue(Math.abs(want - got[i]) == 1 && fromBoundary < 1e-4,
                        where + " at " + i + ": level " + got[i] + " but exact " + exact[i]);
            }
        }
    }
}
