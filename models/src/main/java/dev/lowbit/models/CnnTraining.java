package dev.lowbit.models;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Mini-batch training of {@link FashionCnn} with Adam and softmax cross-entropy.
 *
 * <p>Reproducible by construction: the shuffle comes from a seeded {@link SplittableRandom}; each batch is
 * split into {@value #SHARDS} fixed shards whose gradients are computed separately (in parallel when two
 * threads are given) and summed in shard order, so the result is bit-identical whatever the thread count.
 * Not thread-safe; one instance trains one model.
 */
public final class CnnTraining {
    static final int SHARDS = 2;

    /** Hyper-parameters; the learning rate is multiplied by {@code decay} after every epoch. */
    public record Settings(int epochs, int batchSize, double learningRate, double decay, long seed, int threads) {}

    /** What one epoch measured on the training data (with the weights as they were while training). */
    public record EpochStats(int epoch, double meanLoss, double trainAccuracy, long millis) {}

    private final FashionCnn model;
    private final Settings settings;

    public CnnTraining(FashionCnn model, Settings settings) {
        this.model = model;
        this.settings = settings;
    }

    public List<EpochStats> train(LabeledImages data, java.util.function.Consumer<EpochStats> progress)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(SHARDS, settings.threads())));
        try {
            return run(data, pool, progress);
        } finally {
            pool.shutdownNow();
        }
    }

    private List<EpochStats> run(LabeledImages data, ExecutorService pool,
            java.util.function.Consumer<EpochStats> progress) throws InterruptedException {
        Adam adam = new Adam(model.parameters());
        float[][][] grads = new float[SHARDS][][];
        FashionCnn.Workspace[] ws = new FashionCnn.Workspace[SHARDS];
        for (int s = 0; s < SHARDS; s++) {
            grads[s] = model.newGradients();
            ws[s] = new FashionCnn.Workspace();
        }
        SplittableRandom random = new SplittableRandom(settings.seed());
        int n = data.count();
        int[] order = new int[n];
        double lr = settings.learningRate();
        List<EpochStats> stats = new ArrayList<>();
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            double lossSum = 0;
            long correct = 0;
            for (int from = 0; from < n; from += settings.batchSize()) {
                int to = Math.min(n, from + settings.batchSize());
                float scale = 1f / (to - from);
                List<Future<double[]>> parts = new ArrayList<>();
                for (int s = 0; s < SHARDS; s++) {
                    int a = from + (to - from) * s / SHARDS;
                    int b = from + (to - from) * (s + 1) / SHARDS;
                    float[][] g = grads[s];
                    FashionCnn.Workspace w = ws[s];
                    parts.add(pool.submit(() -> shard(data, order, a, b, scale, w, g)));
                }
                for (Future<double[]> f : parts) {
                    double[] r = get(f);
                    lossSum += r[0];
                    correct += (long) r[1];
                }
                for (int s = 1; s < SHARDS; s++) {
                    addInto(grads[0], grads[s]);
                }
                adam.step(grads[0], lr);
            }
            EpochStats e = new EpochStats(epoch, lossSum / n, (double) correct / n,
                    (System.nanoTime() - start) / 1_000_000);
            stats.add(e);
            progress.accept(e);
            lr *= settings.decay();
        }
        return stats;
    }

    /** Zeroes {@code g}, then accumulates the scaled gradient of images order[a..b); returns {loss sum, correct}. */
    private double[] shard(LabeledImages data, int[] order, int a, int b, float scale, FashionCnn.Workspace ws,
            float[][] g) {
        for (float[] t : g) {
            java.util.Arrays.fill(t, 0f);
        }
        float[] x = new float[data.rows() * data.cols()];
        double loss = 0;
        int correct = 0;
        for (int i = a; i < b; i++) {
            int img = order[i];
            data.scaled(img, x);
            loss += model.accumulateGradient(x, data.label(img), scale, ws, g);
            if (FashionCnn.argmax(ws.logits()) == data.label(img)) {
                correct++;
            }
        }
        return new double[] {loss, correct};
    }

    private static void addInto(float[][] into, float[][] other) {
        for (int t = 0; t < into.length; t++) {
            for (int i = 0; i < into[t].length; i++) {
                into[t][i] += other[t][i];
            }
        }
    }

    private static double[] get(Future<double[]> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("training shard failed", e.getCause());
        }
    }

    /** Top-1 accuracy of the model's own forward pass. */
    public static double accuracy(FashionCnn model, LabeledImages data) {
        FashionCnn.Workspace ws = new FashionCnn.Workspace();
        float[] x = new float[data.rows() * data.cols()];
        int correct = 0;
        for (int i = 0; i < data.count(); i++) {
            data.scaled(i, x);
            model.forward(x, ws);
            if (FashionCnn.argmax(ws.logits()) == data.label(i)) {
                correct++;
            }
        }
        return (double) correct / data.count();
    }
}
