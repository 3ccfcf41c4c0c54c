package dev.lowbit.transform.lpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Per-channel activation grids feeding int8 layers: a Convolution reads two runs of channels with different steps
 * (what a Concat of differently quantized branches gives) through two accumulators, and a depthwise
 * GroupConvolution uses one grid per channel. Both compared with a double computation of the fp32 model.
 */
class SegmentedInputTest {
    private static final float[] HIGH = {1f, 2.5f, 2.5f};

    private static Graph model(boolean depthwise) {
        TinyGraph t = new TinyGraph();
        int[] in = {1, 3, 4, 4};
        ValueRef x = t.parameter("x", in);
        ValueRef lo = t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, 0, 0, 0);
        ValueRef hi = t.constant(ElementType.F32, new int[] {1, 3, 1, 1}, HIGH[0], HIGH[1], HIGH[2]);
        ValueRef fq = t.fakeQuantize(x, 256, lo, hi, lo, hi, in);
        int o = depthwise ? 3 : 2;
        double[] wq = new double[o * (depthwise ? 1 : 3) * 9];
        Random r = new Random(5);
        for (int i = 0; i < wq.length; i++) {
            wq[i] = r.nextInt(255) - 127;
        }
        int[] ws = depthwise ? new int[] {3, 1, 1, 3, 3} : new int[] {2, 3, 3, 3};
        int[] wsFlat = depthwise ? new int[] {3, 1, 3, 3} : ws;
        ValueRef w = t.constant(ElementType.I8, wsFlat, wq);
        ValueRef cv = t.op("Convert", Map.of("destination_type", "f32"), wsFlat, w);
        ValueRef s = t.constant(ElementType.F32, new int[] {o, 1, 1, 1}, depthwise ? new double[] {0.01, 0.02, 0.03}
                : new double[] {0.01, 0.02});
        ValueRef mul = t.op("Multiply", Map.of(), wsFlat, cv, s);
        ValueRef weights = mul;
        if (depthwise) {
            weights = t.op("Reshape", Map.of("special_zero", "false"), ws, mul,
                    t.constant(ElementType.I64, new int[] {5}, 3, 1, 1, 3, 3));
        }
        ValueRef conv = t.op(depthwise ? "GroupConvolution" : "Convolution", TinyGraph.conv("1,1", "1,1"),
                new int[] {1, o, 4, 4}, fq, weights);
        t.result(conv);
        return t.build();
    }

    private static double[] byHand(Graph g, float[] x, boolean depthwise) {
        int o = depthwise ? 3 : 2;
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        QuantizedLinear l = (QuantizedLinear) m.steps().get(1);
        double[] out = new double[o * 16];
        for (int oc = 0; oc < o; oc++) {
            for (int y = 0; y < 4; y++) {
                for (int xx = 0; xx < 4; xx++) {
                    double acc = 0;
                    for (int c = depthwise ? oc : 0; c < (depthwise ? oc + 1 : 3); c++) {
                        int cl = depthwise ? 0 : c;
                        for (int ky = 0; ky < 3; ky++) {
                            for (int kx = 0; kx < 3; kx++) {
                                int iy = y - 1 + ky, ix = xx - 1 + kx;
                                if (iy < 0 || iy >= 4 || ix < 0 || ix >= 4) {
                                    continue;
                                }
                                float xq = FakeQuantizeDecompositionTest.fakeQuantize(x[(c * 4 + iy) * 4 + ix], 256, 0,
                                        HIGH[c], 0, HIGH[c]);
                                int wv = l.weights().value(oc, (cl * 3 + ky) * 3 + kx);
                                acc += xq * (double) (float) (wv * l.weights().scale()[oc]);
                            }
                        }
                    }
                    out[(oc * 4 + y) * 4 + xx] = acc;
                }
            }
        }
        return out;
    }

    @Test
    void convolutionAccumulatesEachRunOfEquallyQuantizedChannelsSeparately() {
        check(false, 2);
    }

    @Test
    void depthwiseGroupConvolutionTakesOneGridPerChannel() {
        check(true, 3);
    }

    private static void check(boolean depthwise, int expectedSegments) {
        Graph g = model(depthwise);
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        QuantizedLinear l = assertInstanceOf(QuantizedLinear.class, m.steps().get(1));
        assertEquals(expectedSegments, l.segments().size());
        Random r = new Random(11);
        float[] x = new float[48];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 3f;
        }
        Tensor out = new Int8Simulator(m).run(Map.of("x", Tensor.f32(new int[] {1, 3, 4, 4}, x))).get("out");
        double[] want = byHand(g, x, depthwise);
        for (int i = 0; i < want.length; i++) {
            // f32 epilogue vs double accumulation: |y| < 40 here, f32 relative error ~1e-7 per operation
            assertEquals(want[i], out.get(i), 1e-4, "at " + i);
        }
        assertTrue(m.notes().isEmpty(), m.notes().toString());
    }
}
