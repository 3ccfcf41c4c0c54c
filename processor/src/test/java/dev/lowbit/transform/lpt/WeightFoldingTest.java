package dev.lowbit.transform.lpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import dev.lowbit.transform.ConstantValues;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightFoldingTest {
    private static final Map<String, String> TO_F32 = Map.of("destination_type", "f32");

    /** Builds x -> Conv(weights) and folds the weights input. */
    private static WeightFolding.Result foldConv(TinyGraph t, ValueRef x, ValueRef weights, int[] outShape) {
        ValueRef conv = t.op("Convolution", TinyGraph.conv("1,1", "0,0"), outShape, x, weights);
        t.result(conv);
        Graph g = t.build();
        return new WeightFolding(new ConstantValues(g)).fold(g.node(conv.node()).input(1), WeightFolding.Layout.CONVOLUTION);
    }

    @Test
    void foldsEncodingAInt8TimesPerChannelScale() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 2, 3, 3);
        ValueRef w = t.constant(ElementType.I8, new int[] {2, 2, 1, 1}, 1, -2, 3, 4);
        ValueRef cv = t.op("Convert", TO_F32, new int[] {2, 2, 1, 1}, w);
        ValueRef s = t.constant(ElementType.F32, new int[] {2, 1, 1, 1}, 0.5, 0.25);
        ValueRef m = t.op("Multiply", Map.of(), new int[] {2, 2, 1, 1}, cv, s);
        QuantizedWeights q = foldConv(t, x, m, new int[] {1, 2, 3, 3}).weights();
        assertNotNull(q);
        assertArrayEquals(new byte[] {1, -2, 3, 4}, q.values());
        assertArrayEquals(new float[] {0.5f, 0.25f}, q.scale());
        assertEquals(0, q.maxDroppedZeroPoint());
        assertTrue(q.encoding().startsWith("A"), q.encoding());
    }

    @Test
    void foldsEncodingBKeepingTheTinyZeroPointAsAReportedResidual() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 2, 3, 3);
        ValueRef w = t.constant(ElementType.I8, new int[] {2, 2, 1, 1}, 1, -2, 3, 4);
        ValueRef cv = t.op("Convert", Map.of("destination_type", "f16"), ElementType.F16, new int[] {2, 2, 1, 1}, w);
        double tiny = Math.scalb(1.0, -17);
        ValueRef zp = t.constant(ElementType.F16, new int[] {2, 1, 1, 1}, tiny, -tiny);
        ValueRef sub = t.op("Subtract", Map.of(), new int[] {2, 2, 1, 1}, cv, zp);
        ValueRef s = t.constant(ElementType.F16, new int[] {2, 1, 1, 1}, 0.5, 0.25);
        ValueRef m = t.op("Multiply", Map.of(), new int[] {2, 2, 1, 1}, sub, s);
        QuantizedWeights q = foldConv(t, x, m, new int[] {1, 2, 3, 3}).weights();
        assertArrayEquals(new byte[] {1, -2, 3, 4}, q.values());
        assertArrayEquals(new double[] {tiny, -tiny}, q.zeroPointResidual());
        assertEquals(tiny, q.maxDroppedZeroPoint());
    }

    @Test
    void foldsAnIntegralWeightZeroPointIntoTheValues() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 2, 3, 3);
        ValueRef w = t.constant(ElementType.I8, new int[] {2, 2, 1, 1}, 1, -2, 3, 4);
        ValueRef cv = t.op("Convert", TO_F32, new int[] {2, 2, 1, 1}, w);
        ValueRef zp = t.constant(ElementType.F32, new int[] {2, 1, 1, 1}, 1, 0);
        ValueRef sub = t.op("Subtract", Map.of(), new int[] {2, 2, 1, 1}, cv, zp);
        ValueRef s = t.constant(ElementType.F32, new int[] {2, 1, 1, 1}, 0.5, 0.25);
        ValueRef m = t.op("Multiply", Map.of(), new int[] {2, 2, 1, 1}, s, sub); // constant first: either side
        QuantizedWeights q = foldConv(t, x, m, new int[] {1, 2, 3, 3}).weights();
        assertArrayEquals(new byte[] {0, -3, 3, 4}, q.values());
        assertEquals(0, q.maxDroppedZeroPoint());
    }

    @Test
    void foldsEncodingCU8ThroughFakeQuantize255IntoLevelMinus127() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 2, 3, 3);
        ValueRef w = t.constant(ElementType.U8, new int[] {2, 2, 1, 1}, 0, 254, 127, 200);
        ValueRef cv = t.op("Convert", TO_F32, new int[] {2, 2, 1, 1}, w);
        ValueRef ol = t.constant(ElementType.F32, new int[] {2, 1, 1, 1}, -1.27, -2.54);
        ValueRef oh = t.constant(ElementType.F32, new int[] {2, 1, 1, 1}, 1.27, 2.54);
        ValueRef fq = t.fakeQuantize(cv, 255, t.scalar(0), t.scalar(254), ol, oh, new int[] {2, 2, 1, 1});
        QuantizedWeights q = foldConv(t, x, fq, new int[] {1, 2, 3, 3}).weights();
        assertArrayEquals(new byte[] {-127, 127, 0, 73}, q.values());
        // step = (oh - ol) / 254 per channel, from the f32 range constants
        assertArrayEquals(new float[] {(float) (2 * (double) 1.27f / 254), (float) (2 * (double) 2.54f / 254)}, q.scale());
        assertTrue(q.encoding().startsWith("C"), q.encoding());
    }

    @Test
    void foldsFloatConstantThroughSymmetricFakeQuantize256() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 1, 3, 3);
        ValueRef w = t.constant(ElementType.F32, new int[] {1, 1, 1, 3}, 0.5, -1.3, 0.004);
        // [-1.28, 1.27] with 256 levels: step 0.01, zero point 128 (i8)
        ValueRef fq = t.fakeQuantize(w, 256, t.scalar(-1.28), t.scalar(1.27), t.scalar(-1.28), t.scalar(1.27),
                new int[] {1, 1, 1, 3});
        QuantizedWeights q = foldConv(t, x, fq, new int[] {1, 1, 3, 1}).weights();
        // 0.5 -> level 178 -> 50; -1.3 clips to level 0 -> -128; 0.004 -> level 128.4 -> 128 -> 0
        assertArrayEquals(new byte[] {50, -128, 0}, q.values());
    }

    @Test
    void foldsGroupConvolutionWeightsThroughTheReshape() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 3, 2, 2);
        ValueRef w = t.constant(ElementType.I8, new int[] {3, 1, 1, 1}, 5, -6, 7);
        ValueRef cv = t.op("Convert", TO_F32, new int[] {3, 1, 1, 1}, w);
        ValueRef s = t.constant(ElementType.F32, new int[] {3, 1, 1, 1}, 1, 2, 4);
        ValueRef m = t.op("Multiply", Map.of(), new int[] {3, 1, 1, 1}, cv, s);
        ValueRef shape = t.constant(ElementType.I64, new int[] {5}, 3, 1, 1, 1, 1);
        ValueRef r = t.op("Reshape", Map.of("special_zero", "false"), new int[] {3, 1, 1, 1, 1}, m, shape);
        ValueRef conv = t.op("GroupConvolution", TinyGraph.conv("1,1", "0,0"), new int[] {1, 3, 2, 2}, x, r);
        t.result(conv);
        Graph g = t.build();
        QuantizedWeights q = new WeightFolding(new ConstantValues(g)).fold(r, WeightFolding.Layout.GROUP_CONVOLUTION).weights();
        assertEquals(3, q.rows());
        assertEquals(1, q.rowLength());
        assertArrayEquals(new byte[] {5, -6, 7}, q.values());
        assertArrayEquals(new float[] {1, 2, 4}, q.scale());
    }

    @Test
    void foldsMatMulWeightsIntoNByKOrderForBothTransposeSettings() {
        for (boolean transposed : new boolean[] {false, true}) {
            TinyGraph t = new TinyGraph();
            ValueRef a = t.parameter("a", 1, 3);
            int[] bShape = transposed ? new int[] {2, 3} : new int[] {3, 2};
            // the same logical B: column n=0 is (1, 3, 5), column n=1 is (2, 4, 6)
            double[] b = transposed ? new double[] {1, 3, 5, 2, 4, 6} : new double[] {1, 2, 3, 4, 5, 6};
            ValueRef w = t.constant(ElementType.I8, bShape, b);
            ValueRef cv = t.op("Convert", TO_F32, bShape, w);
            ValueRef s = transposed ? t.constant(ElementType.F32, new int[] {2, 1}, 0.5, 2)
                    : t.constant(ElementType.F32, new int[] {1, 2}, 0.5, 2);
            ValueRef m = t.op("Multiply", Map.of(), bShape, cv, s);
            ValueRef mm = t.op("MatMul", Map.of("transpose_b", Boolean.toString(transposed)), new int[] {1, 2}, a, m);
            t.result(mm);
            Graph g = t.build();
            QuantizedWeights q = new WeightFolding(new ConstantValues(g)).fold(m,
                    transposed ? WeightFolding.Layout.MATMUL_B_TRANSPOSED : WeightFolding.Layout.MATMUL_B).weights();
            assertArrayEquals(new byte[] {1, 3, 5, 2, 4, 6}, q.values(), "transpose_b=" + transposed);
            assertArrayEquals(new float[] {0.5f, 2f}, q.scale());
        }
    }

    @Test
    void rejectsAScaleThatVariesAlongTheInputChannels() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 2, 3, 3);
        ValueRef w = t.constant(ElementType.I8, new int[] {2, 2, 1, 1}, 1, -2, 3, 4);
        ValueRef cv = t.op("Convert", TO_F32, new int[] {2, 2, 1, 1}, w);
        ValueRef s = t.constant(ElementType.F32, new int[] {1, 2, 1, 1}, 0.5, 0.25);
        ValueRef m = t.op("Multiply", Map.of(), new int[] {2, 2, 1, 1}, cv, s);
        WeightFolding.Result r = foldConv(t, x, m, new int[] {1, 2, 3, 3});
        assertNull(r.weights());
        assertTrue(r.reason().contains("not constant per output channel"), r.reason());
    }

    @Test
    void rejectsFloatWeightsWithoutQuantization() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 1, 3, 3);
        ValueRef w = t.constant(ElementType.F32, new int[] {1, 1, 1, 1}, 0.5);
        WeightFolding.Result r = foldConv(t, x, w, new int[] {1, 1, 3, 3});
        assertNull(r.weights());
        assertTrue(r.reason().contains("not a quantized pattern"), r.reason());
    }
}
