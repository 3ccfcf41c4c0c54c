package dev.lowbit.example;

import dev.lowbit.runtime.Profiled;
import dev.lowbit.runtime.ProfilingInfo;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's main job: classifies Fashion-MNIST images with the project's own model, compiled by lowbit
 * from its FP32 and its INT8 IR, and prints a few predictions, the accuracy on the committed 1,000-image
 * subset, the mean latency per image, the build report summary of both and the INT8 model's slowest layers.
 * A program entry point: one thread, no shared state.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        Path subset = Path.of(args.length > 0 ? args[0] : "models/fashion-mnist/test-1000.bin");
        if (!Files.isRegularFile(subset)) {
            System.err.println("test subset not found: " + subset.toAbsolutePath()
                    + " (run from the repository root or pass its path)");
            System.exit(2);
        }
        LabeledImages images = LabeledImages.read(subset);
        FashionCnnFp32 fp32 = new FashionCnnFp32Model();
        FashionCnnInt8 int8 = new FashionCnnInt8Model();

        System.out.println("lowbit example: Fashion-MNIST CNN compiled from OpenVINO IR (models/fashion-mnist)");
        System.out.println();
        System.out.printf("%-5s %-12s %-22s %-22s%n", "image", "label", "FP32 says", "INT8 says");
        for (int i = 0; i < 8; i++) {
            float[] x = images.input(i);
            System.out.printf("%-5d %-12s %-22s %-22s%n", i, LabeledImages.CLASSES.get(images.label(i)),
                    describe(fp32.classify(x)), describe(int8.classify(x)));
        }
        System.out.println();
        Evaluation f = Evaluation.run(images, fp32::classify);
        Evaluation q = Evaluation.run(images, int8::classify);
        System.out.printf("accuracy on %d test images: FP32 %.2f %%, INT8 %.2f %%%n", images.count(), f.accuracyPercent(), q.accuracyPercent());
        System.out.printf("mean latency per image (1 thread, after warm-up): FP32 %.1f us, INT8 %.1f us%n",
                f.meanMicros(), q.meanMicros());
        System.out.println();
        System.out.println("build report FP32: " + BuildReportSummary.of(FashionCnnFp32.class));
        System.out.println("build report INT8: " + BuildReportSummary.of(FashionCnnInt8.class));
        System.out.println();
        System.out.println("INT8 per-layer profile, top 10 by time (Profiled; off in the runs above):");
        System.out.print(profile(images, int8).toTable(ProfilingInfo.Order.TIME, 10));
    }

    /** One timed pass over the images, after untimed passes that let the JIT compile the timed run methods too. */
    private static ProfilingInfo profile(LabeledImages images, FashionCnnInt8 model) {
        Profiled p = (Profiled) model;
        p.enableProfiling(true);
        for (int pass = 0; pass < 3; pass++) {
            if (pass == 2) {
                p.resetProfiling();
            }
            for (int i = 0; i < images.count(); i++) {
                model.classify(images.input(i));
            }
        }
        p.enableProfiling(false);
        return p.profilingInfo();
    }

    private static String describe(float[] probabilities) {
        int best = Evaluation.argmax(probabilities);
        return String.format("%s (%.2f)", LabeledImages.CLASSES.get(best), probabilities[best]);
    }
}
