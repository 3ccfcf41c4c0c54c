package dev.lowbit.models;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrReader;
import dev.lowbit.ir.IrWriter;
import dev.lowbit.quantize.PostTrainingQuantizer;
import dev.lowbit.quantize.QuantizationResult;
import dev.lowbit.reference.ReferenceEvaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Regenerates everything in {@code models/fashion-mnist/}: trains the {@link FashionCnn} on Fashion-MNIST,
 * writes it as FP32 IR v11, quantizes it post-training into an INT8 IR, and writes the 1,000-image test
 * subset. Deterministic: the same JDK version and dataset give byte-identical files.
 *
 * <p>Usage: {@code TrainFashionMnist [datasetDir] [outputDir]} (defaults: the Debian package's
 * {@code /usr/share/datasets/fashion-mnist} and {@code fashion-mnist}). Exits non-zero when an accuracy
 * target is missed. Run from the command line only.
 */
public final class TrainFashionMnist {
    public static final String FP32_XML = "fashion-cnn-fp32.xml";
    public static final String INT8_XML = "fashion-cnn-int8.xml";
    public static final String SUBSET = "test-1000.bin";
    public static final int SUBSET_SIZE = 1000;

    static final long INIT_SEED = 20261123L;
    static final long SHUFFLE_SEED = 7L;
    static final CnnTraining.Settings SETTINGS = new CnnTraining.Settings(6, 32, 1e-3, 0.75, SHUFFLE_SEED, 2);
    /** Calibration: every 200th training image, 300 images spread over the whole training set. */
    static final int CALIBRATION_STRIDE = 200;
    private static final int THREADS = 2;

    private TrainFashionMnist() {}

    public static void main(String[] args) throws Exception {
        Path dataset = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
        Path out = Path.of(args.length > 1 ? args[1] : "fashion-mnist");
        if (!Files.isRegularFile(dataset.resolve("train-images-idx3-ubyte.gz"))) {
            System.err.println("Fashion-MNIST not found in " + dataset
                    + " (install the Debian package: apt-get install dataset-fashion-mnist)");
            System.exit(2);
        }
        Files.createDirectories(out);
        long start = System.nanoTime();
        LabeledImages train = LabeledImages.fashionMnistTrain(dataset);
        LabeledImages test = LabeledImages.fashionMnistTest(dataset);
        log("training on %d images of %s: %s", train.count(), dataset, SETTINGS);

        FashionCnn model = FashionCnn.initialized(INIT_SEED);
        new CnnTraining(model, SETTINGS).train(train, e -> log("epoch %d: mean loss %.4f, train accuracy %.4f (%.1f s)",
                e.epoch(), e.meanLoss(), e.trainAccuracy(), e.millis() / 1000.0));
        long trained = System.nanoTime();
        log("trained in %.1f s; own forward pass: test accuracy %.4f", (trained - start) / 1e9,
                CnnTraining.accuracy(model, test));

        Path fp32Xml = out.resolve(FP32_XML);
        new IrWriter().write(FashionCnnGraph.of(model, "fashion-cnn-fp32", fp32Xml), fp32Xml);
        Graph fp32 = new IrReader().read(fp32Xml);
        checkOracleAgreesWithTrainer(model, fp32, test);

        List<Map<String, Tensor>> calibration = new ArrayList<>();
        for (int i = 0; i < train.count(); i += CALIBRATION_STRIDE) {
            calibration.add(Map.of(FashionCnnGraph.INPUT, input(train, i)));
        }
        Path int8Xml = out.resolve(INT8_XML);
        QuantizationResult q = new PostTrainingQuantizer().quantize(fp32, calibration);
        log("quantized on %d calibration images:%n%s", calibration.size(), q.summary().stripTrailing());
        Graph int8Graph = q.graph();
        new IrWriter().write(renamed(int8Graph, "fashion-cnn-int8", int8Xml), int8Xml);
        Graph int8 = new IrReader().read(int8Xml);

        LabeledImages subset = test.first(SUBSET_SIZE);
        subset.writeSubset(out.resolve(SUBSET));
        double fp32Subset = ImageClassifierAccuracy.accuracy(fp32, subset, THREADS);
        double int8Subset = ImageClassifierAccuracy.accuracy(int8, subset, THREADS);
        log("oracle on the %d-image subset: FP32 %.4f, INT8 %.4f", SUBSET_SIZE, fp32Subset, int8Subset);
        double fp32Full = ImageClassifierAccuracy.accuracy(fp32, test, THREADS);
        double int8Full = ImageClassifierAccuracy.accuracy(int8, test, THREADS);
        log("oracle on the full %d-image test set: FP32 %.4f, INT8 %.4f", test.count(), fp32Full, int8Full);
        log("total %.1f s", (System.nanoTime() - start) / 1e9);
        if (fp32Full < 0.90 || fp32Subset < 0.90 || Math.abs(fp32Full - int8Full) > 0.005
                || Math.abs(fp32Subset - int8Subset) > 0.005) {
            System.err.println("accuracy targets missed (FP32 >= 0.90, INT8 within 0.005 of FP32)");
            System.exit(1);
        }
    }

    /** The oracle on the written IR and the trainer's own forward pass must agree (fp32 vs double sums). */
    private static void checkOracleAgreesWithTrainer(FashionCnn model, Graph fp32, LabeledImages test) {
        ReferenceEvaluator oracle = new ReferenceEvaluator(fp32);
        FashionCnn.Workspace ws = new FashionCnn.Workspace();
        double worst = 0;
        for (int i = 0; i < 20; i++) {
            model.forward(test.scaled(i), ws);
            float[] logits = ws.logits();
            double max = Double.NEGATIVE_INFINITY;
            for (float v : logits) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : logits) {
                sum += Math.exp(v - max);
            }
            Tensor probs = oracle.run(Map.of(FashionCnnGraph.INPUT, input(test, i))).get(FashionCnnGraph.OUTPUT);
            for (int j = 0; j < logits.length; j++) {
                worst = Math.max(worst, Math.abs(Math.exp(logits[j] - max) / sum - probs.get(j)));
            }
        }
        // Both compute in fp32 but sum in different orders (the oracle accumulates in double): a few ulps.
        if (worst > 1e-4) {
            throw new IllegalStateException("the oracle on the written IR differs from the trainer by " + worst);
        }
        log("oracle on the written FP32 IR matches the trainer's forward pass (max |dp| %.2e on 20 images)", worst);
    }

    static Tensor input(LabeledImages images, int i) {
        return Tensor.f32(new int[] {1, 1, images.rows(), images.cols()}, images.scaled(i));
    }

    private static Graph renamed(Graph g, String name, Path xml) {
        return Graph.of(name, xml, g.nodes());
    }

    private static void log(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
