package dev.lowbit.transform.lpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import dev.lowbit.transform.ConstantValues;
import org.junit.jupiter.api.Test;

class FakeQuantizeDecompositionTest {

    /** The FakeQuantize formula of the spec, written out independently, f32 in the reference's order. */
    static float fakeQuantize(float x, int levels, float il, float ih, float ol, float oh) {
        if (x <= Math.min(il, ih)) {
            return ol;
        }
        if (x > Math.max(il, ih)) {
            return oh;
        }
        return (float) Math.rint((x - il) / (ih - il) * (levels - 1)) / (levels - 1) * (oh - ol) + ol;
    }

    @Test
    void perTensorGridReproducesFakeQuantizeExactlyWithANonIntegerZeroPoint() {
        // f16-rounded asymmetric range as in the 2021.4 IRs: zero point 128.0078...
        float lo = (float) -1.0039062, hi = 0.9882812f;
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 3, 2, 2);
        ValueRef fq = t.fakeQuantize(x, 256, t.scalar(lo), t.scalar(hi), t.scalar(lo), t.scalar(hi), new int[] {1, 3, 2, 2});
        t.result(fq);
        Graph g = t.build();
        QuantGrid grid = new FakeQuantizeDecomposition(new ConstantValues(g)).decompose(g.node(fq.node())).grid();
        assertTrue(grid.isPerTensor());
        assertEquals(-lo / ((hi - (double) lo) / 255), grid.zeroPoint(0), 1e-12);
        assertTrue(Math.abs(grid.zeroPoint(0) - Math.rint(grid.zeroPoint(0))) > 1e-3, "zero point is fractional");
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 100_000; i++) {
            float v = (float) (r.nextGaussian() * 0.7);
            int q = grid.quantize(v, 0);
            float want = fakeQuantize(v, 256, lo, hi, lo, hi);
            // clipped above input_high the reference returns output_high itself: up to one ulp from the formula
            assertEquals(want, grid.dequantize(q, 0), v > hi ? Math.ulp(hi) : 0f, "x=" + v);
        }
    }

    @Test
    void perChannelRangesGiveOneGridEntryPerChannel() {
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 2, 2, 2);
        ValueRef il = t.constant(ElementType.F32, new int[] {1, 2, 1, 1}, 0, 0);
        ValueRef ih = t.constant(ElementType.F32, new int[] {1, 2, 1, 1}, 1, 2);
        ValueRef fq = t.fakeQuantize(x, 256, il, ih, il, ih, new int[] {1, 2, 2, 2});
        t.result(fq);
        Graph g = t.build();
        QuantGrid grid = new FakeQuantizeDecomposition(new ConstantValues(g)).decompose(g.node(fq.node())).grid();
        assertEquals(2, grid.channels());
        assertEquals(1.0 / 255, grid.step(0), 1e-9);
        assertEquals(2.0 / 255, grid.step(1), 1e-9);
        assertEquals(0, grid.zeroPoint(1));
        assertEquals(51, grid.quantize(0.4f, 1)); // 0.4 / 2 * 255 = 51
        assertEquals(102, grid.quantize(0.4f, 0));
    }

    @Test
    void leavesWeightFakeQuantizeAndWideLevelsAlone() {
        TinyGraph t = new TinyGraph();
        ValueRef c = t.constant(ElementType.F32, new int[] {1, 1, 1, 1}, 0.3);
        ValueRef fqw = t.fakeQuantize(c, 256, t.scalar(0), t.scalar(1), t.scalar(0), t.scalar(1), new int[] {1, 1, 1, 1});
        ValueRef x = t.parameter("x", 1, 1, 1, 1);
        ValueRef wide = t.fakeQuantize(x, 65536, t.scalar(0), t.scalar(1), t.scalar(0), t.scalar(1), new int[] {1, 1, 1, 1});
        t.result(fqw);
        t.result(wide);
        Graph g = t.build();
        FakeQuantizeDecomposition d = new FakeQuantizeDecomposition(new ConstantValues(g));
        assertNull(d.decompose(g.node(fqw.node())).grid());
        FakeQuantizeDecomposition.Result r = d.decompose(g.node(wide.node()));
        assertNull(r.grid());
        assertTrue(r.reason().contains("levels=65536"), r.reason());
    }

    @Test
    void leavesAnEmptyOrInvertedOutputRangeAlone() {
        // output_low == output_high maps every input to one value: no step to dequantize by (the zero point would
        // be 0/0); output_low > output_high would reverse the order the int8 max pool and ReLU rely on
        TinyGraph t = new TinyGraph();
        ValueRef x = t.parameter("x", 1, 2, 2, 2);
        ValueRef empty = t.fakeQuantize(x, 256, t.scalar(0), t.scalar(2), t.scalar(0), t.scalar(0), new int[] {1, 2, 2, 2});
        ValueRef ol = t.constant(ElementType.F32, new int[] {1, 2, 1, 1}, 0, 1);
        ValueRef oh = t.constant(ElementType.F32, new int[] {1, 2, 1, 1}, 1, -1);
        ValueRef inverted = t.fakeQuantize(x, 256, t.scalar(0), t.scalar(2), ol, oh, new int[] {1, 2, 2, 2});
        t.result(empty);
        t.result(inverted);
        Graph g = t.build();
        FakeQuantizeDecomposition d = new FakeQuantizeDecomposition(new ConstantValues(g));
        FakeQuantizeDecomposition.Result r = d.decompose(g.node(empty.node()));
        assertNull(r.grid());
        assertTrue(r.reason().contains("output range [0.0, 0.0] of channel 0 is empty or inverted"), r.reason());
        r = d.decompose(g.node(inverted.node()));
        assertNull(r.grid());
        assertTrue(r.reason().contains("output range [1.0, -1.0] of channel 1"), r.reason());
    }
}
