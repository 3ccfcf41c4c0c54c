package dev.lowbit.models;

import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.TensorSpec;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Random;

/**
 * The measurement of {@link SteadyStateAllocationTest}, run in a JVM of its own per model variant: warms one
 * generated model until C2 has compiled it and prints the fewest bytes one {@code infer()} allocated, as
 * {@code RESULT <least> <outputBytes> <label>}. A JVM per model and per set of JIT flags, so that one variant's
 * profiles do not shape another's code; what other models' profiles did is reproduced with
 * {@code -XX:-UseTypeSpeculation} (docs/performance.md, "Exact vector classes"). Over the bound, it first prints
 * where the warm model allocates ({@link AllocationSites}).
 */
public final class AllocationProbe {
    /** The returned map, its entries and arrays' headers: far below one boxed vector per row of a layer. */
    static final long SLACK_BYTES = 4096;

    private AllocationProbe() {
    }

    public static void main(String[] args) throws Exception {
        String folder = args[0], precision = args[1];
        String name = SharedModelVariants.interfaceName(folder + "-" + precision);
        SharedModelVariants.Variant variant = SharedModelVariants.all().stream()
                .filter(v -> v.interfaceName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(folder + "/" + precision + " is not in ../shared/models"));
        InferenceModel model = (InferenceModel) variant.generatedClass().getConstructor().newInstance();
        TensorSpec in = model.inputs().get(0);
        float[] x = new float[in.size()];
        Random r = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(256); // the photos' range
        }
        Map<String, float[]> inputs = Map.of(in.name(), x);
        long outputBytes = model.outputs().stream().mapToLong(o -> 16 + 4L * o.size()).sum();
        long bound = outputBytes + SLACK_BYTES;
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        // Rounds until C2 has compiled the model's kernels (interpreted and C1 vector code allocates on every
        // operation); bounded for a loaded machine: about 20 s of inferences at most for these models.
        for (int round = 0; round < 40 && least > bound; round++) {
            for (int i = 0; i < 200; i++) {
                model.infer(inputs);
            }
            for (int rep = 0; rep < 5; rep++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                model.infer(inputs);
                least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
            }
        }
        if (least > bound) {
            // The state to find (SteadyStateAllocationTest): where it allocates, recorded only now.
            AllocationSites.during(() -> model.infer(inputs), 200).forEach(System.out::println);
        }
        System.out.println("RESULT " + least + " " + outputBytes + " " + variant.label());
    }
}
