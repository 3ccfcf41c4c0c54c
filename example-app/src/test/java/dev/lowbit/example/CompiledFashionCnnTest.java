package dev.lowbit.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
}
