package dev.lowbit.models;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Signature;
import dev.lowbit.graph.Tensor;
import dev.lowbit.reference.ReferenceEvaluator;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Top-1 accuracy of a one-input, one-output classifier graph evaluated by the reference evaluator (the
 * oracle) on labeled images fed as [1,1,rows,cols] pixel / 255. Images are split into contiguous chunks
 * over at most {@code threads} threads; the count is independent of the split. Stateless, thread-safe.
 */
public final class ImageClassifierAccuracy {
    private ImageClassifierAccuracy() {}

    /** The predicted class (index of the largest output) of each image. */
    public static int[] predict(Graph graph, LabeledImages images, int threads) throws InterruptedException {
        String input = Signature.inputNames(graph).get(0);
        ReferenceEvaluator oracle = new ReferenceEvaluator(graph);
        int n = images.count();
        int[] predicted = new int[n];
        int parts = Math.max(1, threads);
        ExecutorService pool = Executors.newFixedThreadPool(parts);
        try {
            Future<?>[] futures = new Future<?>[parts];
            for (int t = 0; t < parts; t++) {
                int from = n * t / parts;
                int to = n * (t + 1) / parts;
                futures[t] = pool.submit(() -> {
                    for (int i = from; i < to; i++) {
                        Tensor x = Tensor.f32(new int[] {1, 1, images.rows(), images.cols()}, images.scaled(i));
                        Tensor out = oracle.run(Map.of(input, x)).values().iterator().next();
                        predicted[i] = argmax(out);
                    }
                });
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("evaluation failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return predicted;
    }

    public static double accuracy(Graph graph, LabeledImages images, int threads) throws InterruptedException {
        int[] p = predict(graph, images, threads);
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == images.label(i)) {
                correct++;
            }
        }
        return (double) correct / p.length;
    }

    static int argmax(Tensor t) {
        int best = 0;
        for (int i = 1; i < t.size(); i++) {
            if (t.get(i) > t.get(best)) {
                best = i;
            }
        }
        return best;
    }
}
