package dev.lowbit.benchmarks.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * ONNX Runtime Java 1.23.2 on the ONNX conversions of the OMZ models (../shared/models-onnx), batch 1, the same photo
 * input as the lowbit benchmarks ({@link SharedInputs}); ORT_ENABLE_ALL, intra-op threads 1 or 2, one inter-op
 * thread. One inference = {@code run} plus copying every output to the Java heap (lowbit returns heap arrays too);
 * the input tensor is created once (ORT's cheapest path). Latency by sampling (median and spread). JMH state, one
 * per thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class OrtModels {
    /** model folder / ONNX file base name under models-onnx. */
    @Param({
        "landmarks-regression-retail-0009/FP32",
        "landmarks-regression-retail-0009/FP16-INT8",
        "head-pose-estimation-adas-0001/FP16",
        "head-pose-estimation-adas-0001/FP16-INT8",
        "face-detection-retail-0004/FP32",
        "face-detection-retail-0004/FP16-INT8",
        "face-detection-retail-0004/FP16-INT8-nudged",
        "vehicle-attributes-recognition-barrier-0039/FP32",
        "vehicle-attributes-recognition-barrier-0039/FP16-INT8",
        "vehicle-attributes-recognition-barrier-0039/FP16-INT8-nudged",
    })
    public String variant;

    @Param({"1", "2"})
    public int threads;

    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor input;
    private Map<String, OnnxTensor> feed;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        String model = variant.substring(0, variant.indexOf('/'));
        Path onnx = SharedInputs.sharedRoot().resolve("models-onnx").resolve(variant + ".onnx");
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            session = env.createSession(onnx.toString(), options);
        }
        input = OnnxTensor.createTensor(env, FloatBuffer.wrap(SharedInputs.input(model)), SharedInputs.shape(model));
        String inputName = session.getInputNames().iterator().next();
        feed = Map.of(inputName, input);
    }

    @Benchmark
    public void infer(Blackhole bh) throws OrtException {
        try (OrtSession.Result result = session.run(feed)) {
            for (Map.Entry<String, OnnxValue> output : result) {
                bh.consume(((OnnxTensor) output.getValue()).getFloatBuffer());
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        input.close();
        session.close();
    }
}
