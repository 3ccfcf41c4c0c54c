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
 * 3x3 convolution, 56x56, 128 -> 128 channels, pad 1: int8 kernel vs fp32 baseline, one operation = one multiply-accumulate, so the score in ops/ns is GMAC/s.
 * Warm-up is long because the first calls run vector code in the interpreter until C2 compiles the kernel
 * (several seconds on a loaded machine). JMH state, one per thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class Int8Conv3x3C128 {
    /** Multiply-accumulates of one call. */
    static final int MACS = 56 * 56 * 128 * 128 * 9;
    private KernelFixture fixture;

    @Setup
    public void setUp() {
        fixture = KernelFixture.convolution(56, 128, 3);
    }

    @Benchmark
    @OperationsPerInvocation(MACS)
    public byte[] int8() {
        fixture.runInt8();
        return fixture.outB;
    }

    /**
     * The same int8 layer with its exact integer sums on f32 FMA (FmaConvolution), which runs it as Winograd
     * F(2x2, 3x3): the fixture checks that its weights pass WinogradLayout's bound. The score counts the direct
     * convolution's MACs, so it compares with the other two as time does.
     */
    @Benchmark
    @OperationsPerInvocation(MACS)
    public byte[] int8OnFma() {
        fixture.runFma();
        return fixture.outFma;
    }

    @Benchmark
    @OperationsPerInvocation(MACS)
    public float[] fp32() {
        fixture.runFp32();
        return fixture.outF;
    }
}
