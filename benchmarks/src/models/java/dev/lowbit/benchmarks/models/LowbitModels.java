package dev.lowbit.benchmarks.models;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * The lowbit-generated classes of the OMZ IRs (compiled by the processor at build time from ../shared/models),
 * batch 1, the same photo input as {@link OrtModels}; one call of the interface's method (the generated
 * {@code infer}), on the calling thread. The variant names the IR folder, not the arithmetic: see
 * docs/performance.md for what each generated class executes. Latency by sampling. JMH state, one per thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class LowbitModels {
    /** model folder / IR precision folder under models. */
    @Param({
        "landmarks-regression-retail-0009/FP32",
        "landmarks-regression-retail-0009/FP16-INT8",
        "head-pose-estimation-adas-0001/FP16",
        "head-pose-estimation-adas-0001/FP16-INT8",
        "face-detection-retail-0004/FP32",
        "face-detection-retail-0004/FP16-INT8",
        "vehicle-attributes-recognition-barrier-0039/FP32",
        "vehicle-attributes-recognition-barrier-0039/FP16-INT8",
    })
    public String variant;

    private Function<float[], Object> model;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        input = SharedInputs.input(variant.substring(0, variant.indexOf('/')));
        model = switch (variant) {
            case "landmarks-regression-retail-0009/FP32" -> new LandmarksRegressionRetail0009Fp32Model()::landmarks;
            case "landmarks-regression-retail-0009/FP16-INT8" -> new LandmarksRegressionRetail0009Fp16Int8Model()::landmarks;
            case "head-pose-estimation-adas-0001/FP16" -> new HeadPoseEstimationAdas0001Fp16Model()::angles;
            case "head-pose-estimation-adas-0001/FP16-INT8" -> new HeadPoseEstimationAdas0001Fp16Int8Model()::angles;
            case "face-detection-retail-0004/FP32" -> new FaceDetectionRetail0004Fp32Model()::detect;
            case "face-detection-retail-0004/FP16-INT8" -> new FaceDetectionRetail0004Fp16Int8Model()::detect;
            case "vehicle-attributes-recognition-barrier-0039/FP32" ->
                    new VehicleAttributesRecognitionBarrier0039Fp32Model()::classify;
            case "vehicle-attributes-recognition-barrier-0039/FP16-INT8" ->
                    new VehicleAttributesRecognitionBarrier0039Fp16Int8Model()::classify;
            default -> throw new IllegalArgumentException("no generated class for variant '" + variant + "'");
        };
    }

    @Benchmark
    public Object infer() {
        return model.apply(input);
    }
}
