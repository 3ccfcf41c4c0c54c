package dev.lowbit.benchmarks.models;

import com.sun.management.ThreadMXBean;
import dev.lowbit.runtime.InferenceModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * Bytes allocated per {@code infer()} when several generated models run one after the other in one JVM: each model
 * {@code -Dinferences=300} times, the last {@code -Dlast=1000}, printed per hundred. A warm model should allocate only
 * its outputs; code C2 compiled while earlier models ran can make a later one allocate more (docs/performance.md,
 * "Allocation after many models: where C2's code boxes"). Not a JMH benchmark: the state depends on the order of the
 * models and on when C2 compiles, so it is a tool to reproduce it, run by hand:
 *
 * <pre>java --add-modules jdk.incubator.vector -Dlowbit.shared=../shared -cp benchmarks/target/benchmarks.jar \
 *     dev.lowbit.benchmarks.models.ManyModelsAllocation [ModelClass ...]</pre>
 *
 * Without arguments, the order that reproduced vehicle-attributes' max pool boxing in 2.6 minutes (92,488 bytes per
 * inference before the fix, 328 after). Arguments are generated class names without the {@code Model} suffix.
 * A model's first hundreds include its warm-up, which can take several hundred inferences (head-pose FP16 alone: its
 * outputs only from the eighth hundred), so a lasting state is one that stays past about 1,000 inferences.
 *
 * <p>{@code -DjfrAt=N} (a multiple of 100) records the last model's inferences {@code N} to {@code N + 1500} with
 * JFR (profile settings; {@code -DjfrFile}, default {@code many-models.jfr}): where a lasting state allocates. A
 * recording started with the JVM changed the JIT's course in earlier runs, so this one starts late, from inside the
 * process.
 */
public final class ManyModelsAllocation {
    private static final List<String> REPRODUCTION = List.of("FaceDetectionAdas0001Fp16", "FaceDetectionAdas0001Fp16Int8",
            "FaceDetectionAdas0001Fp16Int8AsFp32", "FaceDetectionRetail0004Fp16Int8",
            "VehicleAttributesRecognitionBarrier0039Fp16Int8AsFp32");

    private static final int RECORDED_INFERENCES = 1500;

    private ManyModelsAllocation() {
    }

    public static void main(String[] args) throws ReflectiveOperationException, IOException, ParseException {
        List<String> models = args.length > 0 ? List.of(args) : REPRODUCTION;
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int jfrAt = Integer.getInteger("jfrAt", -1);
        int lastInferences = Integer.getInteger("last", 1000);
        int otherInferences = Integer.getInteger("inferences", 300);
        if (jfrAt >= 0 && (jfrAt % 100 != 0 || jfrAt >= lastInferences)) {
            throw new IllegalArgumentException("-DjfrAt=" + jfrAt + " records nothing: it must be a multiple of 100"
                    + " below the last model's " + lastInferences + " inferences (-Dlast)");
        }
        Recording recording = null;
        for (int k = 0; k < models.size(); k++) {
            String name = models.get(k);
            InferenceModel model = GeneratedModels.byName(name);
            Map<String, float[]> inputs = GeneratedModels.randomLevels(model);
            boolean last = k == models.size() - 1;
            int inferences = last ? lastInferences : otherInferences;
            StringBuilder perHundred = new StringBuilder(name + ", bytes per inference per hundred:");
            for (int done = 0; done < inferences; done += 100) {
                if (last && done == jfrAt) {
                    recording = new Recording(Configuration.getConfiguration("profile"));
                    recording.start();
                }
                if (recording != null && done == jfrAt + RECORDED_INFERENCES) {
                    stopInto(recording);
                    recording = null;
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100; i++) {
                    model.infer(inputs);
                }
                perHundred.append(' ').append((threads.getCurrentThreadAllocatedBytes() - before) / 100);
            }
            System.out.println(perHundred);
        }
        if (recording != null) {
            stopInto(recording);
        }
    }

    private static void stopInto(Recording recording) throws IOException {
        Path file = Path.of(System.getProperty("jfrFile", "many-models.jfr"));
        recording.stop();
        recording.dump(file);
        recording.close();
        System.out.println("JFR recording of the last model: " + file.toAbsolutePath());
    }
}
