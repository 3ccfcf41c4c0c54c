package dev.lowbit.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * NCHW fp32 convolution 3x3, 56x56, 128 -> 128 channels, 128 group(s), "same" padding, as the generated code runs it:
 * {@code tiled} (f32 register tiles, float models) vs {@code exact} (double accumulation, graphs with
 * FakeQuantize). One operation = one multiply-accumulate, so the score in ops/ns is GMAC/s. JMH state, one per thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class Fp32NchwDepthwise3x3C128 {
    static final int MACS = 56 * 56 * 128 * (128 / 128) * 3 * 3;
    private Fp32NchwFixture fixture;

    @Setup
    public void setUp() {
        fixture = new Fp32NchwFixture(128, 3, 128);
    }

    @Benchmark
    @OperationsPerInvocation(MACS)
    public float[] tiled() {
        fixture.runTiled();
        return fixture.y;
    }

    @Benchmark
    @OperationsPerInvocation(MACS)
    public float[] exact() {
        fixture.runExact();
        return fixture.y;
    }
}
