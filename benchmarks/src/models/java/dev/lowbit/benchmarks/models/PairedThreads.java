package dev.lowbit.benchmarks.models;

import dev.lowbit.runtime.ExecutionConfig;
import dev.lowbit.runtime.InferenceModel;
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
 * The LATENCY hint against one thread, timed in turn in the same JVM as {@link PairedModels} does for ONNX
 * Runtime: each invocation runs a block of {@value PairedModels#BLOCK} inferences of each contender (int8 and f32
 * generated classes, each as a single-threaded instance and as an {@code ExecutionConfig.latency(2)} instance),
 * in an order rotated from one invocation to the next, and adds each block's nanoseconds to an
 * {@link AuxCounters} field; benchmarks/paired-table.py takes the 1-thread / 2-thread ratio per iteration.
 * Why not {@link ThreadedModels#latency}: it times 1 and 2 threads minutes apart, and on this shared 2-vCPU
 * machine its ratio for a float model whose LATENCY instance split nothing came out 0.75x and 1.29x in two runs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 3, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PairedThreads {
    @Param({"face-detection-retail-0004", "vehicle-attributes-recognition-barrier-0039",
        "head-pose-estimation-adas-0001", "landmarks-regression-retail-0009"})
    public String model;

    /** Nanoseconds per contender in this iteration, and the inferences each ran. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Times {
        public long int8OneNanos;
        public long int8TwoNanos;
        public long f32OneNanos;
        public long f32TwoNanos;
        public long inferences;

        @Setup(Level.Iteration)
        public void reset() {
            int8OneNanos = int8TwoNanos = f32OneNanos = f32TwoNanos = inferences = 0;
        }
    }

    private final InferenceModel[] contenders = new InferenceModel[4];
    private ExecutionConfig latency;
    private Map<String, float[]> input;
    private int turn;

    @Setup(Level.Trial)
    public void setUp() {
        latency = ExecutionConfig.latency(2);
        Function<ExecutionConfig, InferenceModel> int8 = GeneratedModels.int8(model);
        Function<ExecutionConfig, InferenceModel> f32 = GeneratedModels.f32(model);
        contenders[0] = int8.apply(ExecutionConfig.singleThread());
        contenders[1] = int8.apply(latency);
        contenders[2] = f32.apply(ExecutionConfig.singleThread());
        contenders[3] = f32.apply(latency);
        input = Map.of(contenders[0].inputs().get(0).name(), SharedInputs.input(model));
    }

    @Benchmark
    public void inTurn(Times times, Blackhole bh) {
        for (int i = 0; i < contenders.length; i++) {
            int c = (turn + i) % contenders.length;
            long t = System.nanoTime();
            for (int k = 0; k < PairedModels.BLOCK; k++) {
                bh.consume(contenders[c].infer(input));
            }
            long nanos = System.nanoTime() - t;
            switch (c) {
                case 0 -> times.int8OneNanos += nanos;
                case 1 -> times.int8TwoNanos += nanos;
                case 2 -> times.f32OneNanos += nanos;
                default -> times.f32TwoNanos += nanos;
            }
        }
        turn++;
        times.inferences += PairedModels.BLOCK;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        latency.close();
    }
}
