package dev.lowbit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.runtime.LayerProfile;
import dev.lowbit.runtime.Profiled;
import dev.lowbit.runtime.ProfilingInfo;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The compiled FP32 and INT8 classes classify the committed subset as well as the issue demands. */
class CompiledFashionCnnTest {
    private static LabeledImages subset() throws Exception {
        return LabeledImages.read(Path.of(System.getProperty("lowbit.subset", "../models/fashion-mnist/test-1000.bin")));
    }

    @Test
    void compiledModelsReachTheAccuracyTargetsOnTheSubset() throws Exception {
        LabeledImages images = subset();
        Evaluation f = Evaluation.run(images, new FashionCnnFp32Model()::classify);
        Evaluation q = Evaluation.run(images, new FashionCnnInt8Model()::classify);
        System.out.printf("compiled: FP32 %.2f %%, INT8 %.2f %%%n", f.accuracyPercent(), q.accuracyPercent());
        assertTrue(f.accuracyPercent() >= 90, "FP32 >= 90 %: " + f.accuracyPercent());
        assertEquals(f.accuracyPercent(), q.accuracyPercent(), 0.5, "INT8 within 0.5 points of FP32");
    }

    @Test
    void probabilitiesSumToOne() throws Exception {
        float[] p = new FashionCnnInt8Model().classify(subset().input(0));
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-5, "SoftMax output"); // 10 float terms, each rounded: ~1e-6
    }

    @Test
    void buildReportListsEveryLayerWithAPrecision() throws Exception {
        BuildReportSummary s = BuildReportSummary.of(FashionCnnInt8.class);
        assertTrue(s.layers().values().stream().mapToInt(Integer::intValue).sum() > 5, s.toString());
    }

    @Test
    void profilingTimesEveryLayerWithoutChangingTheResult() throws Exception {
        LabeledImages images = subset();
        FashionCnnInt8Model plain = new FashionCnnInt8Model();
        FashionCnnInt8Model timed = new FashionCnnInt8Model();
        timed.enableProfiling(true);
        int n = 50;
        for (int i = 0; i < n; i++) {
            float[] x = images.input(i);
            assertTrue(Arrays.equals(plain.classify(x), timed.classify(x)), "image " + i);
        }
        ProfilingInfo info = timed.profilingInfo();
        assertEquals(0, ((Profiled) plain).profilingInfo().totalNanos(), "nothing recorded while off");
        assertEquals(n, info.inferences());
        double shares = 0;
        for (LayerProfile l : info.layers()) {
            assertEquals(n, l.count(), l.name());
            assertTrue(l.totalNanos() > 0 && !l.kernel().isEmpty() && !l.precision().isEmpty(), l.toString());
            shares += info.sharePercent(l);
        }
        assertEquals(100.0, shares, 1e-9);
        // The build report counts the same layers per precision.
        BuildReportSummary report = BuildReportSummary.of(FashionCnnInt8.class);
        for (var e : report.layers().entrySet()) {
            assertEquals((long) e.getValue(), info.layers().stream().filter(l -> l.precision().equals(e.getKey())).count(),
                    e.getKey());
        }
        // The int8 kernels' MACs move to the layer that calls them (LayerProfile.macs); none is lost or doubled.
        assertEquals(report.macs().values().stream().mapToLong(Long::longValue).sum(),
                info.layers().stream().mapToLong(LayerProfile::macs).sum());
        System.out.print(info.toTable(ProfilingInfo.Order.EXECUTION, 100));
    }
}
