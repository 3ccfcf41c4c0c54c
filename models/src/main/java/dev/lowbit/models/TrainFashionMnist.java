package dev.lowbit.models;

import java.nio.file.Path;

/** Trains the Fashion-MNIST CNN and writes its IR files. Usage: TrainFashionMnist datasetDir outputDir. */
public final class TrainFashionMnist {
    private TrainFashionMnist() {}

    public static void main(String[] args) throws Exception {
        Path dataset = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        LabeledImages train = LabeledImages.fashionMnistTrain(dataset);
        LabeledImages test = LabeledImages.fashionMnistTest(dataset);
        FashionCnn model = FashionCnn.initialized(20261123L);
        CnnTraining.Settings s = new CnnTraining.Settings(epochs, 64, 1e-3, Double.parseDouble(System.getProperty("decay", "0.7")), 7L, 2);
        long t0 = System.nanoTime();
        new CnnTraining(model, s).train(train, e -> System.out.printf("epoch %d loss %.4f train acc %.4f %d ms test %.4f%n",
                e.epoch(), e.meanLoss(), e.trainAccuracy(), e.millis(), CnnTraining.accuracy(model, test)));
        System.out.printf("total %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
