package dev.lowbit.testing;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrReader;
import dev.lowbit.reference.ReferenceEvaluator;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the shared OMZ models by folder and precision and runs them with the oracle, caching results so that
 * tests asking the same question of the same model and picture pay once (the oracle is slow on purpose).
 */
public final class OmzModels {
    private static final Map<String, Graph> GRAPHS = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, Tensor>> RUNS = new ConcurrentHashMap<>();

    private OmzModels() {}

    /** {@code folder} like "face-detection-retail-0004_omz2021.2", {@code precision} like "FP16-INT8". */
    public static Path xml(String folder, String precision) {
        String model = folder.replaceAll("_omz[0-9.]+$", "");
        return SharedData.models().resolve(folder).resolve(precision).resolve(model + ".xml");
    }

    public static Graph graph(String folder, String precision) {
        Path xml = xml(folder, precision);
        return GRAPHS.computeIfAbsent(xml.toString(), k -> new IrReader().read(xml));
    }

    /** The single input's shape [N, C, H, W]. */
    public static int[] inputShape(Graph g) {
        return g.parameters().get(0).output(0).shape();
    }

    /** Runs the oracle on one planar input; {@code inputKey} names the input for the cache (e.g. the picture). */
    public static Map<String, Tensor> run(String folder, String precision, String inputKey, float[] input) {
        Graph g = graph(folder, precision);
        return RUNS.computeIfAbsent(folder + "/" + precision + "/" + inputKey, k -> {
            Node p = g.parameters().get(0);
            double[] v = new double[input.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = input[i];
            }
            Tensor t = Tensor.of(ElementType.F32, p.output(0).shape(), v);
            return new ReferenceEvaluator(g).run(Map.of(Signature.inputName(p), t));
        });
    }
}
