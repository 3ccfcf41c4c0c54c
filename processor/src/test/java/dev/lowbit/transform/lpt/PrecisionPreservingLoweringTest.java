package dev.lowbit.transform.lpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrecisionPreservingLoweringTest {

    private static ValueRef fq(TinyGraph t, ValueRef x, float lo, float hi, int[] shape) {
        return t.fakeQuantize(x, 256, t.scalar(lo), t.scalar(hi), t.scalar(lo), t.scalar(hi), shape);
    }

    @Test
    void concatOfDifferentlyQuantizedBranchesKeepsEachBranchGridPerChannel() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 2, 3, 3);
        ValueRef b = t.parameter("b", 1, 1, 3, 3);
        ValueRef qa = fq(t, a, 0f, 2.517578125f, new int[] {1, 2, 3, 3});
        ValueRef qb = fq(t, b, 0f, 1.646484375f, new int[] {1, 1, 3, 3});
        ValueRef cat = t.op("Concat", Map.of("axis", "1"), new int[] {1, 3, 3, 3}, qa, qb);
        t.result(cat);
        LoweredModel m = new LowPrecisionPipeline().lower(t.build());
        PreservedStep p = assertInstanceOf(PreservedStep.class, m.steps().get(2));
        assertEquals(3, p.grid().channels());
        assertArrayEquals(new float[] {2.517578125f, 2.517578125f, 1.646484375f}, p.grid().outHigh());
    }

    @Test
    void onRequestConcatRequantizesItsInputsToTheUnionGridByLookup() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 1, 2, 2);
        ValueRef b = t.parameter("b", 1, 1, 2, 2);
        ValueRef qa = fq(t, a, 0f, 2.55f, new int[] {1, 1, 2, 2}); // step 0.01
        ValueRef qb = fq(t, b, 0f, 1.275f, new int[] {1, 1, 2, 2}); // step 0.005
        ValueRef cat = t.op("Concat", Map.of("axis", "1"), new int[] {1, 2, 2, 2}, qa, qb);
        t.result(cat);
        LoweredModel m = new LowPrecisionPipeline(true).lower(t.build());
        PreservedStep p = assertInstanceOf(PreservedStep.class, m.steps().get(2));
        assertTrue(p.grid().isPerTensor());
        assertEquals(2.55f, p.grid().outHigh()[0]);
        assertEquals(null, p.lookups().get(0)); // already on the union grid
        int[] table = p.lookups().get(1);
        // b's level q is worth 0.005 q, i.e. 0.5 q levels of the union grid, rounded half to even
        assertEquals(0, table[1]);
        assertEquals(2, table[3]);
        assertEquals(2, table[5]);
        assertEquals(128, table[255]);
        assertEquals(1, m.notes().size());
        assertTrue(m.notes().get(0).contains("common grid"), m.notes().get(0));
    }

    @Test
    void concatAlongAnotherAxisWithDifferentGridsRunsInFp32() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 2, 3, 3);
        ValueRef qa = fq(t, a, 0f, 2f, new int[] {1, 2, 3, 3});
        ValueRef qb = fq(t, a, 0f, 1f, new int[] {1, 2, 3, 3});
        ValueRef cat = t.op("Concat", Map.of("axis", "2"), new int[] {1, 2, 6, 3}, qa, qb);
        t.result(cat);
        LoweredModel m = new LowPrecisionPipeline().lower(t.build());
        assertInstanceOf(Fp32Step.class, m.steps().get(2));
    }

    @Test
    void reluIsPreservedOnlyOnANonNegativeGrid() {
        for (float lo : new float[] {0f, -1f}) {
            TinyGraph t = new TinyGraph();
            ValueRef a = t.parameter("a", 1, 2, 3, 3);
            ValueRef q = fq(t, a, lo, 2f, new int[] {1, 2, 3, 3});
            ValueRef relu = t.op("ReLU", Map.of(), new int[] {1, 2, 3, 3}, q);
            t.result(relu);
            LoweredModel m = new LowPrecisionPipeline().lower(t.build());
            assertEquals(lo == 0f ? PreservedStep.class : Fp32Step.class, m.steps().get(1).getClass());
        }
    }

    @Test
    void reshapeIsPreservedForPerTensorGridsOnlyAndMaxPoolForPerChannelToo() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 2, 2, 2);
        ValueRef lo = t.constant(ElementType.F32, new int[] {1, 2, 1, 1}, 0, 0);
        ValueRef hi = t.constant(ElementType.F32, new int[] {1, 2, 1, 1}, 1, 2);
        ValueRef q = t.fakeQuantize(a, 256, lo, hi, lo, hi, new int[] {1, 2, 2, 2});
        ValueRef pool = t.op("MaxPool", Map.of("kernel", "2,2", "strides", "2,2", "pads_begin", "0,0", "pads_end", "0,0"),
                new int[] {1, 2, 1, 1}, q);
        ValueRef r = t.op("Reshape", Map.of("special_zero", "false"), new int[] {1, 2}, pool,
                t.constant(ElementType.I64, new int[] {2}, 1, 2));
        t.result(r);
        Graph g = t.build();
        LoweredModel m = new LowPrecisionPipeline().lower(g);
        assertInstanceOf(PreservedStep.class, m.steps().get(1));
        Fp32Step reshape = assertInstanceOf(Fp32Step.class, m.steps().get(2));
        assertEquals("Reshape", reshape.node().type());
    }

    @Test
    void convolutionWithFloatWeightsStaysFp32WithANoteNamingTheLayer() {
        TinyGraph t = new TinyGraph();
        ValueRef a = t.parameter("a", 1, 1, 3, 3);
        ValueRef q = fq(t, a, 0f, 1f, new int[] {1, 1, 3, 3});
        ValueRef w = t.constant(ElementType.F32, new int[] {1, 1, 1, 1}, 0.5);
        ValueRef conv = t.op("Convolution", TinyGraph.conv("1,1", "0,0"), new int[] {1, 1, 3, 3}, q, w);
        t.result(conv);
        LoweredModel m = new LowPrecisionPipeline().lower(t.build());
        assertInstanceOf(Fp32Step.class, m.steps().get(1));
        assertEquals(1, m.notes().size());
        assertTrue(m.notes().get(0).startsWith("layer id=" + conv.node()) && m.notes().get(0).contains("stays fp32"),
                m.notes().get(0));
        assertEquals(0.0, m.int8MacFraction());
    }
}
