package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed Fashion-MNIST IRs, evaluated by the oracle: FP32 at least 90 % top-1, INT8 within 0.5
 * points of FP32, on the committed 1,000-image subset (always) and on the full 10,000-image test set (when
 * the Debian package dataset-fashion-mnist is installed).
 */
class FashionCnnAccuracyTest {
    private static final double MIN_FP32 = 0.90;
    private static final double MAX_INT8_DROP = 0.005;

    static Path modelDir() {
        return Path.of(System.getProperty("lowbit.models.dir", ".")).resolve("fashion-mnist");
    }

    static Path dataset() {
        return Path.of(System.getProperty("fashion.mnist.dir", "/usr/share/datasets/fashion-mnist"));
    }

    private static Graph read(String xml) {
        return new IrReader().read(modelDir().resolve(xml));
    }

    @Test
    void meetsTheAccuracyTargetsOnTheCommittedSubset() throws Exception {
        LabeledImages subset = LabeledImages.readSubset(modelDir().resolve(TrainFashionMnist.SUBSET));
        assertEquals(TrainFashionMnist.SUBSET_SIZE, subset.count());
        assertAccuracyTargets(subset, "committed subset");
    }

    @Test
    void meetsTheAccuracyTargetsOnTheFullTestSet() throws Exception {
        LabeledImages test = LabeledImages.fashionMnistTest(requireDataset());
        assertEquals(10_000, test.count());
        assertAccuracyTargets(test, "full test set");
    }

    @Test
    void committedSubsetIsTheFirstThousandTestImages() throws Exception {
        LabeledImages test = LabeledImages.fashionMnistTest(requireDataset());
        LabeledImages subset = LabeledImages.readSubset(modelDir().resolve(TrainFashionMnist.SUBSET));
        for (int i = 0; i < subset.count(); i++) {
            assertEquals(test.label(i), subset.label(i), "label " + i);
            for (int p = 0; p < 784; p++) {
                if (test.pixel(i, p) != subset.pixel(i, p)) {
                    throw new AssertionError("image " + i + " pixel " + p + " differs");
                }
            }
        }
    }

    @Test
    void int8IrHasActivationFakeQuantizeAndCompressedI8WeightsOnEveryConvAndMatMul() {
        Graph g = read(TrainFashionMnist.INT8_XML);
        int layers = 0;
        for (Node n : g.nodes()) {
            if (n.is("Convolution") || n.is("MatMul")) {
                layers++;
                Node fq = g.producer(n, 0);
                assertTrue(fq.is("FakeQuantize") && fq.attributes().intValue("levels") == 256, n.describe());
                Node mul = g.producer(n, 1);
                Node convert = g.producer(mul, 0);
                Node weights = g.producer(convert, 0);
                assertTrue(mul.is("Multiply") && convert.is("Convert") && weights.is("Const"), n.describe());
                assertEquals(ElementType.I8, weights.constant().type(), n.describe());
                assertEquals(weights.constant().dim(0), g.producer(mul, 1).constant().size(),
                        n.describe() + ": one scale per output channel");
            }
        }
        assertEquals(4, layers);
    }

    private static void assertAccuracyTargets(LabeledImages images, String what) throws InterruptedException {
        double fp32 = ImageClassifierAccuracy.accuracy(read(TrainFashionMnist.FP32_XML), images, 2);
        double int8 = ImageClassifierAccuracy.accuracy(read(TrainFashionMnist.INT8_XML), images, 2);
        System.out.printf("Fashion-MNIST %s (%d images), oracle: FP32 %.4f, INT8 %.4f%n", what, images.count(), fp32, int8);
        assertTrue(fp32 >= MIN_FP32, what + ": FP32 accuracy " + fp32 + " < " + MIN_FP32);
        assertTrue(Math.abs(int8 - fp32) <= MAX_INT8_DROP + 1e-12,
                what + ": INT8 accuracy " + int8 + " is more than 0.5 points from FP32 " + fp32);
    }

    private static Path requireDataset() throws IOException {
        Path d = dataset();
        assumeTrue(Files.isRegularFile(d.resolve("t10k-images-idx3-ubyte.gz")),
                "SKIPPED: Fashion-MNIST not found at " + d + " (apt-get install dataset-fashion-mnist)");
        return d;
    }
}
