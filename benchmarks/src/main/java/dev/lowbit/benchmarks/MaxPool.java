package dev.lowbit.benchmarks;

import dev.lowbit.runtime.fp32.Pooling;
import dev.lowbit.runtime.int8.LevelTensors;
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
 * The max pools on the models' pool shapes, microseconds per call: {@code f32} ({@link Pooling#maxPool}, the float
 * models') and {@code u8} ({@link LevelTensors#maxPool} on u8 levels, the INT8 models'), on landmarks'
 * 2x2 stride-2 pools, head-pose's, vehicle's and face-detection's 3x3 stride-2 pools (ceil rounding), and a 3x3
 * stride-1 pool with padding (no shared model has one; it keeps the stride-1 kernel measured). A shape is
 * {@code planes x h x w / kernel s stride p pad}; arrays are sized exactly, as the generated code's are.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class MaxPool {
    @Param({"16x48x48/2s2p0", "32x24x24/2s2p0", "64x30x30/3s2p0", "64x36x36/3s2p0", "32x150x150/3s2p0", "32x24x24/3s1p1"})
    public String shape;

    private float[] x;
    private float[] y;
    private byte[] levels;
    private byte[] pooledLevels;
    private int planes, h, w, oh, ow, k, s, p;

    @Setup
    public void setUp() {
        String[] dims = shape.split("[x/sp]");
        planes = Integer.parseInt(dims[0]);
        h = Integer.parseInt(dims[1]);
        w = Integer.parseInt(dims[2]);
        k = Integer.parseInt(dims[3]);
        s = Integer.parseInt(dims[4]);
        p = Integer.parseInt(dims[5]);
        // ceil rounding, as the models' 3x3 pools (the same as floor for the 2x2 ones on even sizes)
        oh = (h + 2 * p - k + s - 1) / s + 1;
        ow = (w + 2 * p - k + s - 1) / s + 1;
        x = new float[planes * h * w];
        Random random = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        y = new float[planes * oh * ow];
        levels = new byte[x.length];
        random.nextBytes(levels);
        pooledLevels = new byte[y.length];
    }

    @Benchmark
    public float[] f32() {
        Pooling.maxPool(x, y, planes, h, w, oh, ow, k, k, s, s, p, p);
        return y;
    }

    @Benchmark
    public byte[] u8() {
        LevelTensors.maxPool(levels, pooledLevels, planes, h, w, oh, ow, k, k, s, s, p, p);
        return pooledLevels;
    }
}
