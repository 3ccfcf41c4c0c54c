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
 * What per-layer profiling costs, on one model (landmarks-regression-retail-0009 FP16-INT8, the smallest shared
 * model, so a per-inference or per-layer cost weighs most): {@code baseline} is the class compiled with
 * {@code @CompiledModel(profiling = false)} (no profiling code at all), {@code off} the default class with
 * profiling off (one check per inference), {@code on} the same class timing every layer. Same input, same thread,
 * one fork per mode. On a loaded machine forks differ more than the modes do: run several rounds with the order
 * of the modes rotated ({@code -p mode=off,on,baseline}) and take ratios within a round (docs/performance.md).
 * JMH state, one per thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ProfilingOverhead {
    @Param({"baseline", "off", "on"})
    public String mode;

    private Function<float[], float[]> model;
    private float[] input;

    @Setup(Level.Trial)
    public void setUp() {
        input = SharedInputs.input("landmarks-regression-retail-0009");
        if (mode.equals("baseline")) {
            model = new LandmarksRegressionRetail0009Fp16Int8UnprofiledModel()::landmarks;
            return;
        }
        LandmarksRegressionRetail0009Fp16Int8Model profiled = new LandmarksRegressionRetail0009Fp16Int8Model();
        switch (mode) {
            case "off" -> profiled.enableProfiling(false);
            case "on" -> profiled.enableProfiling(true);
            default -> throw new IllegalArgumentException("mode is baseline, off or on, not '" + mode + "'");
        }
        model = profiled::landmarks;
    }

    @Benchmark
    public float[] infer() {
        return model.apply(input);
    }
}
