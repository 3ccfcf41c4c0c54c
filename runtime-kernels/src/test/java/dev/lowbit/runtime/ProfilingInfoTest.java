package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProfilingInfoTest {
    private static final String TABLE = LayerTable.line(3, "conv\t1", "Convolution", "u8", "Int8Conv3x3", 2_000)
            + LayerTable.line(7, "relu", "Relu", "f32", "", 0)
            + LayerTable.line(9, "fc", "MatMul", "f32", "Fp32Gemv", 500);

    private static ProfilingInfo recorded() {
        ProfileRecorder r = new ProfileRecorder(3);
        r.enable(true);
        long[] s = r.slots();
        // Two inferences, hand-set: conv 6000 ns, relu 1000 ns, fc 3000 ns in total.
        s[0] = 6000;
        s[1] = 2;
        s[2] = 1000;
        s[3] = 2;
        s[4] = 3000;
        s[5] = 2;
        return r.info(TABLE);
    }

    @Test
    void joinsTheTableWithTheTimes() {
        ProfilingInfo info = recorded();
        assertEquals(List.of(new LayerProfile(3, "conv 1", "Convolution", "u8", "Int8Conv3x3", 2_000, 6000, 2),
                new LayerProfile(7, "relu", "Relu", "f32", "", 0, 1000, 2),
                new LayerProfile(9, "fc", "MatMul", "f32", "Fp32Gemv", 500, 3000, 2)), info.layers());
        assertEquals(10_000, info.totalNanos());
        assertEquals(2, info.inferences());
        assertEquals(60.0, info.sharePercent(info.layers().get(0)), 1e-12);
        assertEquals(3.0, info.layers().get(0).meanMicros(), 1e-12);
        // 2000 MACs x 2 inferences in 6000 ns = 0.667 MAC/ns = 0.667 GMAC/s
        assertEquals(4000.0 / 6000, info.layers().get(0).gmacPerSecond(), 1e-12);
        assertTrue(Double.isNaN(info.layers().get(1).gmacPerSecond()));
    }

    @Test
    void tableSortsByTimeAndSummarizesWhatItLeavesOut() {
        String table = recorded().toTable(ProfilingInfo.Order.TIME, 2);
        List<String> lines = table.lines().toList();
        assertEquals(5, lines.size(), table);
        assertTrue(lines.get(0).contains("layer") && lines.get(0).contains("share"), table);
        assertTrue(lines.get(1).matches(" +1  conv 1 +Convolution +u8 +Int8Conv3x3 +3\\.00 +60\\.0 % +0\\.67"), table);
        assertTrue(lines.get(2).matches(" +3  fc +MatMul +f32 +Fp32Gemv +1\\.50 +30\\.0 % +0\\.33"), table);
        assertTrue(lines.get(3).contains("1 more layers, 10.0 % of the time"), table);
        assertTrue(lines.get(4).contains("total: 3 layers, 5.00 us per inference, 2 inferences timed"), table);
    }

    @Test
    void tableInExecutionOrderListsEveryLayer() {
        List<String> lines = recorded().toTable(ProfilingInfo.Order.EXECUTION, 100).lines().toList();
        assertEquals(5, lines.size());
        assertTrue(lines.get(1).contains("conv 1") && lines.get(2).contains("relu") && lines.get(3).contains("fc"));
    }

    @Test
    void nothingRecordedGivesZerosNotErrors() {
        ProfileRecorder r = new ProfileRecorder(3);
        ProfilingInfo info = r.info(TABLE);
        assertEquals(0, info.totalNanos());
        assertEquals(0, info.inferences());
        assertEquals(0.0, info.sharePercent(info.layers().get(0)));
        assertTrue(info.toTable().contains("0 inferences timed"));
    }

    @Test
    void lapAddsTheElapsedTimeAndCounts() {
        long[] slots = new long[4];
        long start = System.nanoTime() - 1_000;
        long now = ProfileRecorder.lap(slots, 1, start);
        assertEquals(now - start, slots[2]);
        assertTrue(slots[2] >= 1_000);
        assertEquals(1, slots[3]);
        assertEquals(0, slots[0] + slots[1]);
    }

    @Test
    void resetKeepsTheSwitchAndATableOfTheWrongSizeIsRejected() {
        ProfileRecorder r = new ProfileRecorder(3);
        r.enable(true);
        r.slots()[0] = 5;
        r.reset();
        assertTrue(r.enabled());
        assertEquals(0, r.info(TABLE).totalNanos());
        var e = assertThrows(IllegalStateException.class, () -> new ProfileRecorder(2).info(TABLE));
        assertTrue(e.getMessage().contains("3 layers") && e.getMessage().contains("times 2"), e.getMessage());
    }

    @Test
    void longNamesAreShortenedFromTheFrontAndKernelsAtTheEnd() {
        String name = "a".repeat(30) + "/tail/of/the/layer/name";
        String kernel = "epilogue of int8 layer 10: Int8Convolution (u8 x i8 -> f32)";
        ProfileRecorder r = new ProfileRecorder(1);
        String table = r.info(LayerTable.line(1, name, "Relu", "f32", kernel, 0)).toTable();
        assertTrue(table.contains("..." + name.substring(name.length() - 37) + "  Relu"), table);
        assertTrue(table.contains(kernel.substring(0, 41) + "...  "), table);
    }
}
