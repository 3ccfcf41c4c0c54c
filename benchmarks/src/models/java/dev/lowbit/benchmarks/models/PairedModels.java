package dev.lowbit.benchmarks.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * lowbit and ONNX Runtime timed in the same JVM, the same iteration, in turn: each invocation runs a block of
 * {@value #BLOCK} inferences of every contender (lowbit int8, lowbit f32, each ONNX file of the model, one intra-op
 * thread), in an order rotated from one invocation to the next, and adds each block's nanoseconds to an
 * {@link AuxCounters} field. A ratio taken per iteration (benchmarks/paired-table.py) compares contenders that
 * saw the same machine in the same second: the unpaired benchmarks ({@link LowbitModels}, {@link OrtModels}) run
 * each contender in its own fork minutes apart, and on this shared machine whole phases of a run came out 30%
 * slower for one side only. For face-detection the DetectionOutput layer lowbit runs and the ONNX cut lacks is
 * timed too (as {@link FaceDetectionTail}), so the table can compare the same cut. The primary score (one
 * invocation) means nothing by itself.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PairedModels {
    static final int BLOCK = 4;

    /** Model folder under models and models-onnx. */
    @Param({"landmarks-regression-retail-0009", "head-pose-estimation-adas-0001", "face-detection-retail-0004",
        "vehicle-attributes-recognition-barrier-0039"})
    public String model;

    /** Nanoseconds per contender in this iteration, and the inferences each ran. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Times {
        public long lowbitInt8Nanos;
        public long lowbitF32Nanos;
        public long ortFloatNanos;
        public long ortInt8Nanos;
        public long ortNudgedNanos;
        public long tailNanos;
        public long inferences;

        @Setup(Level.Iteration)
        public void reset() {
            lowbitInt8Nanos = lowbitF32Nanos = ortFloatNanos = ortInt8Nanos = ortNudgedNanos = tailNanos = inferences = 0;
        }
    }

    private Function<float[], Object> int8;
    private Function<float[], Object> f32;
    private OrtEnvironment env;
    private OrtSession ortFloat;
    private OrtSession ortInt8;
    private OrtSession ortNudged;
    private OnnxTensor tensor;
    private Map<String, OnnxTensor> feed;
    private FaceDetectionTail tail;
    private float[] input;
    private int turn;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        input = SharedInputs.input(model);
        switch (model) {
            case "landmarks-regression-retail-0009" -> {
                int8 = new LandmarksRegressionRetail0009Fp16Int8Model()::landmarks;
                f32 = new LandmarksRegressionRetail0009Fp32Model()::landmarks;
            }
            case "head-pose-estimation-adas-0001" -> {
                int8 = new HeadPoseEstimationAdas0001Fp16Int8Model()::angles;
                f32 = new HeadPoseEstimationAdas0001Fp16Model()::angles;
            }
            case "face-detection-retail-0004" -> {
                int8 = new FaceDetectionRetail0004Fp16Int8Model()::detect;
                f32 = new FaceDetectionRetail0004Fp32Model()::detect;
                tail = new FaceDetectionTail();
                tail.setUp();
            }
            case "vehicle-attributes-recognition-barrier-0039" -> {
                int8 = new VehicleAttributesRecognitionBarrier0039Fp16Int8Model()::classify;
                f32 = new VehicleAttributesRecognitionBarrier0039Fp32Model()::classify;
            }
            default -> throw new IllegalArgumentException("no generated classes for model '" + model + "'");
        }
        env = OrtEnvironment.getEnvironment();
        Path dir = SharedInputs.sharedRoot().resolve("models-onnx").resolve(model);
        ortFloat = session(Files.exists(dir.resolve("FP32.onnx")) ? dir.resolve("FP32.onnx") : dir.resolve("FP16.onnx"));
        ortInt8 = session(dir.resolve("FP16-INT8.onnx"));
        ortNudged = Files.exists(dir.resolve("FP16-INT8-nudged.onnx")) ? session(dir.resolve("FP16-INT8-nudged.onnx")) : null;
        tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), SharedInputs.shape(model));
        feed = Map.of(ortFloat.getInputNames().iterator().next(), tensor);
    }

    private OrtSession session(Path onnx) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            return env.createSession(onnx.toString(), options);
        }
    }

    @Benchmark
    public void inTurn(Times times, Blackhole bh) throws OrtException {
        int contenders = 6;
        for (int i = 0; i < contenders; i++) {
            switch ((turn + i) % contenders) {
                case 0 -> times.lowbitInt8Nanos += lowbit(int8, bh);
                case 1 -> times.lowbitF32Nanos += lowbit(f32, bh);
                case 2 -> times.ortFloatNanos += ort(ortFloat, bh);
                case 3 -> times.ortInt8Nanos += ort(ortInt8, bh);
                case 4 -> times.ortNudgedNanos += ortNudged == null ? 0 : ort(ortNudged, bh);
                default -> times.tailNanos += tail == null ? 0 : tail(bh);
            }
        }
        turn++;
        times.inferences += BLOCK;
    }

    private long lowbit(Function<float[], Object> m, Blackhole bh) {
        long t = System.nanoTime();
        for (int i = 0; i < BLOCK; i++) {
            bh.consume(m.apply(input));
        }
        return System.nanoTime() - t;
    }

    private long ort(OrtSession s, Blackhole bh) throws OrtException {
        long t = System.nanoTime();
        for (int i = 0; i < BLOCK; i++) {
            try (OrtSession.Result result = s.run(feed)) {
                for (Map.Entry<String, OnnxValue> output : result) {
                    bh.consume(((OnnxTensor) output.getValue()).getFloatBuffer());
                }
            }
        }
        return System.nanoTime() - t;
    }

    private long tail(Blackhole bh) {
        long t = System.nanoTime();
        for (int i = 0; i < BLOCK; i++) {
            bh.consume(tail.detectionOutput());
        }
        return System.nanoTime() - t;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        tensor.close();
        ortFloat.close();
        ortInt8.close();
        if (ortNudged != null) {
            ortNudged.close();
        }
    }
}
