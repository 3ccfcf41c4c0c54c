package dev.lowbit.benchmarks.models;

import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.Profiled;
import dev.lowbit.runtime.ProfilingInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-layer times of several generated models in one JVM, to compare two compilations of one network layer by layer
 * (the int8 model and the float model, say) under the same JIT and cache state: every model runs
 * {@code -Dinferences=N} (default 6,000) inferences in turn unprofiled, then as many again profiled in turn, and each
 * model's table is printed, slowest layers first ({@code -Drows=30}). Not a JMH benchmark: the per-layer means
 * include the profiler's clock reads and the models share the caches, so it locates where time goes; ratios of whole
 * models come from {@code PairedModels}. Run by hand:
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     dev.lowbit.benchmarks.models.LayerProfiles VehicleAttributesRecognitionBarrier0039Fp16Int8 \
 *     VehicleAttributesRecognitionBarrier0039Fp32</pre>
 *
 * Arguments are generated class names without the {@code Model} suffix (all of them are {@link Profiled}); inputs
 * are random levels 0..255 ({@link GeneratedModels#randomLevels}), as in {@code ManyModelsAllocation}.
 */
public final class LayerProfiles {
    private LayerProfiles() {
    }

    public static void main(String[] args) throws ReflectiveOperationException {
        if (args.length == 0) {
            throw new IllegalArgumentException("give generated model class names without the Model suffix");
        }
        List<InferenceModel> models = new ArrayList<>();
        List<Map<String, float[]>> inputs = new ArrayList<>();
        for (String name : args) {
            InferenceModel model = GeneratedModels.byName(name);
            models.add(model);
            inputs.add(GeneratedModels.randomLevels(model));
        }
        int inferences = Integer.getInteger("inferences", 6000);
        for (boolean profiled : new boolean[] {false, true}) {
            for (int k = 0; k < models.size(); k++) {
                ((Profiled) models.get(k)).enableProfiling(profiled);
                for (int i = 0; i < inferences; i++) {
                    models.get(k).infer(inputs.get(k));
                }
            }
        }
        for (int k = 0; k < models.size(); k++) {
            System.out.println(args[k]);
            System.out.println(((Profiled) models.get(k)).profilingInfo().toTable(ProfilingInfo.Order.TIME,
                    Integer.getInteger("rows", 30)));
        }
    }
}
