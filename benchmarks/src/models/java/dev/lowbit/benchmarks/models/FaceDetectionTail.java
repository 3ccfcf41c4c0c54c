package dev.lowbit.benchmarks.models;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.lowbit.runtime.WeightBlob;
import dev.lowbit.runtime.fp32.DetectionOutput;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The part of face-detection-retail-0004 that the ONNX cut leaves out: the DetectionOutput layer (box decoding,
 * NMS, top-k) as lowbit's generated class runs it, on the real inputs of the astronaut photo (the FP32 network's
 * two outputs, computed once by ONNX Runtime) and the model's constant priors (read from the generated class's
 * weight blob). Lets the doc split lowbit's full-model time into the cut and the tail. PriorBoxClustered costs
 * nothing at run time: the processor folds it into that constant. JMH state, one per thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class FaceDetectionTail {
    private static final int PRIORS = 3249;
    private static final String MODEL = "face-detection-retail-0004";

    private DetectionOutput layer;
    private float[] loc;
    private float[] conf;
    private float[] prior;
    private final float[] out = new float[200 * 7];

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        // the same attributes as the generated FaceDetectionRetail0004Fp32Model (its constructor), from the IR
        layer = new DetectionOutput(new DetectionOutput.Attributes(2, 0, 400, 200, 0.45f, 0.01f, true, false, true,
                false, false, 1, 1), 1, PRIORS, 2, 1);
        prior = priors();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        var path = SharedInputs.sharedRoot().resolve("models-onnx").resolve(MODEL + "/FP32.onnx");
        try (OrtSession session = env.createSession(path.toString(), new OrtSession.SessionOptions());
                OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(SharedInputs.input(MODEL)),
                        SharedInputs.shape(MODEL));
                OrtSession.Result result = session.run(Map.of("data", input))) {
            loc = copy((OnnxTensor) result.get("fc7_mbox_loc_flat").orElseThrow(), PRIORS * 4);
            conf = copy((OnnxTensor) result.get("mbox_conf_flatten").orElseThrow(), PRIORS * 2);
        }
    }

    /** The one constant of the generated class with the priors' size [1, 2, 3249*4]: the folded PriorBoxClustered. */
    private static float[] priors() {
        float[][] all = WeightBlob.open(FaceDetectionRetail0004Fp32Model.class, "FaceDetectionRetail0004Fp32Model.weights",
                FaceDetectionRetail0004Fp32Model.WEIGHTS_BYTES, FaceDetectionRetail0004Fp32Model.WEIGHTS_SHA256).readAll();
        List<float[]> matches = new ArrayList<>();
        for (float[] w : all) {
            if (w.length == 2 * PRIORS * 4) {
                matches.add(w);
            }
        }
        if (matches.size() != 1) {
            throw new IllegalStateException("expected exactly one constant of " + 2 * PRIORS * 4
                    + " floats (the priors) in FaceDetectionRetail0004Fp32Model.weights, found " + matches.size());
        }
        return matches.get(0);
    }

    private static float[] copy(OnnxTensor t, int expected) {
        FloatBuffer b = t.getFloatBuffer();
        if (b.remaining() != expected) {
            throw new IllegalStateException("ONNX output has " + b.remaining() + " values, expected " + expected);
        }
        float[] a = new float[expected];
        b.get(a);
        return a;
    }

    @Benchmark
    public float[] detectionOutput() {
        layer.run(loc, conf, prior, out, 200);
        return out;
    }
}
