package dev.lowbit.benchmarks;

import dev.lowbit.runtime.int8.ChannelsLastBlocks;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The int8 Winograd layers' input copy, NCHW u8 levels to channels-last centred f32, microseconds per whole input:
 * {@code blocks} ({@link ChannelsLastBlocks#row}, 16 x 16 blocks transposed in registers) against {@code scalar}, the
 * one-value-at-a-time copy it replaced (the baseline, measured in the same run), on face-detection-retail's expand3x3
 * inputs ({@code channels x side x side}) and vehicle-attributes' 64 x 18x18.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ChannelsLastCopy {
    private static final int ZERO_POINT = 7;

    @Param({"16x75", "32x38", "48x19", "64x19", "64x18"})
    public String shape;

    private byte[] levels;
    private float[] x;
    private int channels, side;

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        channels = Integer.parseInt(dims[0]);
        side = Integer.parseInt(dims[1]);
        levels = new byte[channels * side * side];
        new Random(5).nextBytes(levels);
        x = new float[side * side * channels];
    }

    @Benchmark
    public float[] blocks() {
        int plane = side * side;
        for (int r = 0; r < side; r++) {
            ChannelsLastBlocks.row(levels, ZERO_POINT, r * side, plane, channels, side, x, r * side * channels,
                    channels);
        }
        return x;
    }

    @Benchmark
    public float[] scalar() {
        int plane = side * side;
        for (int r = 0; r < side; r++) {
            for (int c = 0; c < channels; c++) {
                int src = c * plane + r * side, dst = r * side * channels + c;
                for (int ix = 0; ix < side; ix++) {
                    x[dst + ix * channels] = (levels[src + ix] & 0xFF) - ZERO_POINT;
                }
            }
        }
        return x;
    }
}
