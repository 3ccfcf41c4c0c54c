package dev.lowbit.benchmarks.models;

import dev.lowbit.runtime.ExecutionConfig;
import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.InferencePool;
import dev.lowbit.runtime.PerformanceHint;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two performance hints on the generated int8 classes, 1 vs 2 threads, same photo input as {@link LowbitModels}:
 * <ul>
 * <li>{@code latency}: one caller, the instance built with {@code ExecutionConfig.latency(threads)} (threads = 1 is
 *     the plain single-thread instance); average time per inference.
 * <li>{@code throughput1} / {@code throughput2}: 1 / 2 JMH threads calling one {@link InferencePool} of as many
 *     single-threaded instances ({@link PerformanceHint#THROUGHPUT}); inferences per second, summed over threads.
 * </ul>
 * Compare ratios from the same run: the absolute numbers depend on what else the machine runs.
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ThreadedModels {
    /** The generated class of {@code variant}, "model folder/FP16-INT8" or "model folder/FP32". */
    private static Function<ExecutionConfig, InferenceModel> factory(String variant) {
        String model = variant.substring(0, variant.indexOf('/'));
        return switch (variant.substring(variant.indexOf('/') + 1)) {
            case "FP16-INT8" -> GeneratedModels.int8(model);
            case "FP32" -> GeneratedModels.f32(model);
            default -> throw new IllegalArgumentException("no generated class for variant '" + variant + "'");
        };
    }

    private static Map<String, float[]> input(InferenceModel m, String variant) {
        return Map.of(m.inputs().get(0).name(), SharedInputs.input(variant.substring(0, variant.indexOf('/'))));
    }

    /** One instance, LATENCY on {@code threads} threads. */
    @State(Scope.Thread)
    public static class Latency {
        @Param({"face-detection-retail-0004/FP16-INT8", "vehicle-attributes-recognition-barrier-0039/FP16-INT8",
            "face-detection-retail-0004/FP32", "vehicle-attributes-recognition-barrier-0039/FP32"})
        public String variant;
        @Param({"1", "2"})
        public int threads;
        ExecutionConfig config;
        InferenceModel model;
        Map<String, float[]> input;

        @Setup(Level.Trial)
        public void setUp() {
            config = ExecutionConfig.latency(threads);
            model = factory(variant).apply(config);
            input = input(model, variant);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            config.close();
        }
    }

    /** A THROUGHPUT pool shared by the benchmark threads, one instance per thread. */
    public abstract static class Pool {
        InferencePool<InferenceModel> pool;
        Map<String, float[]> input;

        void open(String variant, int instances) {
            pool = InferencePool.create(factory(variant), PerformanceHint.THROUGHPUT, instances);
            input = input(pool, variant);
        }
    }

    @State(Scope.Benchmark)
    public static class Pool1 extends Pool {
        @Param({"face-detection-retail-0004/FP16-INT8", "vehicle-attributes-recognition-barrier-0039/FP16-INT8",
            "face-detection-retail-0004/FP32", "vehicle-attributes-recognition-barrier-0039/FP32"})
        public String variant;

        @Setup(Level.Trial)
        public void setUp() {
            open(variant, 1);
        }
    }

    @State(Scope.Benchmark)
    public static class Pool2 extends Pool {
        @Param({"face-detection-retail-0004/FP16-INT8", "vehicle-attributes-recognition-barrier-0039/FP16-INT8",
            "face-detection-retail-0004/FP32", "vehicle-attributes-recognition-barrier-0039/FP32"})
        public String variant;

        @Setup(Level.Trial)
        public void setUp() {
            open(variant, 2);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object latency(Latency s) {
        return s.model.infer(s.input);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(1)
    public Object throughput1(Pool1 s) {
        return s.pool.infer(s.input);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(2)
    public Object throughput2(Pool2 s) {
        return s.pool.infer(s.input);
    }
}
