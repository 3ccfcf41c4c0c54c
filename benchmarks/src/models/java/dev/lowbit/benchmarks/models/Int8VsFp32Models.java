package dev.lowbit.benchmarks.models;

import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.TensorSpec;
import dev.lowbit.runtime.vision.ImageTensors;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 4's model table: every INT8 IR of ../shared/models compiled three ways by the processor, timed in one run.
 * <ul>
 *   <li>{@code int8}: the INT8 IR on the int8 path (the default: low-precision transformations, int8 kernels);
 *   <li>{@code fp32-literal}: the same IR with {@code precision = "fp32"}: fp32 kernels, every FakeQuantize executed;
 *   <li>{@code float}: the model's float IR (FP32 where OMZ ships it, else FP16, computed in fp32).
 * </ul>
 * One {@link InferenceModel#infer(Map, Map)} call on the calling thread (writing into arrays made once, so {@code -prof
 * gc} shows whether a model allocates anything per inference), batch 1, a real photo: the astronaut's face crop
 * for the face-regression models (as {@link SharedInputs}), the benchmark photos of {@link SharedInputs} for the
 * others it knows, else astronaut.png stretched to the input (grayscale for one channel), as model-tests does.
 * JMH state, one per thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xss8m"})
@State(Scope.Thread)
public class Int8VsFp32Models {
    /** The interface name of the INT8 IR without the precision suffix (see the interfaces of this package). */
    @Param({
        "LandmarksRegressionRetail0009",
        "LandmarksRegressionRetail0009Omz20213",
        "LandmarksRegressionRetail0009Omz20212",
        "HeadPoseEstimationAdas0001",
        "VehicleAttributesRecognitionBarrier0039",
        "TextImageSuperResolution0001",
        "FaceDetectionRetail0004",
        "FaceDetectionRetail0004Omz20212",
        "PersonDetectionRetail0013",
        "FaceDetectionAdas0001",
    })
    public String model;

    @Param({"int8", "fp32-literal", "float"})
    public String path;

    private InferenceModel compiled;
    private Map<String, float[]> inputs;
    private Map<String, float[]> outputs;

    @Setup(Level.Trial)
    public void setUp() throws ReflectiveOperationException {
        compiled = GeneratedModels.byName(model + suffix());
        TensorSpec in = compiled.inputs().get(0);
        inputs = Map.of(in.name(), input(in));
        outputs = new java.util.HashMap<>();
        for (TensorSpec out : compiled.outputs()) {
            outputs.put(out.name(), new float[out.size()]);
        }
    }

    @Benchmark
    public Map<String, float[]> infer() {
        compiled.infer(inputs, outputs);
        return outputs;
    }

    private String suffix() {
        return switch (path) {
            case "int8" -> "Fp16Int8";
            case "fp32-literal" -> "Fp16Int8AsFp32";
            case "float" -> FLOAT_FP16.contains(model) ? "Fp16" : "Fp32";
            default -> throw new IllegalArgumentException("path is int8, fp32-literal or float, not '" + path + "'");
        };
    }

    /** The models OMZ ships with an FP16 but no FP32 IR. */
    private static final java.util.Set<String> FLOAT_FP16 = java.util.Set.of("HeadPoseEstimationAdas0001",
            "LandmarksRegressionRetail0009Omz20212", "FaceDetectionRetail0004Omz20212", "PersonDetectionRetail0013",
            "FaceDetectionAdas0001");

    private float[] input(TensorSpec spec) {
        String omzName = switch (model) {
            case "LandmarksRegressionRetail0009", "LandmarksRegressionRetail0009Omz20213",
                    "LandmarksRegressionRetail0009Omz20212" -> "landmarks-regression-retail-0009";
            case "HeadPoseEstimationAdas0001" -> "head-pose-estimation-adas-0001";
            case "FaceDetectionRetail0004", "FaceDetectionRetail0004Omz20212" -> "face-detection-retail-0004";
            case "VehicleAttributesRecognitionBarrier0039" -> "vehicle-attributes-recognition-barrier-0039";
            default -> null;
        };
        if (omzName != null) {
            return SharedInputs.input(omzName);
        }
        int[] shape = spec.shape();
        BufferedImage astronaut = ImageTensors.read(SharedInputs.sharedRoot().resolve("images/astronaut.png"));
        return shape[1] == 1 ? ImageTensors.stretchGray(astronaut, shape[3], shape[2])
                : ImageTensors.stretchBgr(astronaut, shape[3], shape[2]);
    }
}
