package dev.lowbit.benchmarks;

import dev.lowbit.runtime.fp32.ChannelEpilogue;
import dev.lowbit.runtime.fp32.TiledConvolution;
import dev.lowbit.runtime.int8.ConvGeometry;
import dev.lowbit.runtime.int8.FmaConvolution;
import dev.lowbit.runtime.int8.Requantization;
import java.util.Arrays;
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
 * The 1x1 layers of face-detection-retail's fire modules, as the int8 layer on f32 FMA (levels in, levels out with
 * ReLU and requantization: {@link FmaConvolution}, which runs them on its pointwise path) and as the same layer in
 * f32 (the float model's {@link TiledConvolution} with bias and ReLU in its epilogue), on the same random data, in
 * one run: the f32 layer is the baseline the int8 path has to beat. Weights are trained-like (|w| <= 24), inside the
 * exact bound. Score: microseconds per call. JMH state, one per thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PointwiseLayers {
    /** {@code inputs x size -> outputs}: fire2 and fire4 expand, fire3, fire5 and fire9 squeeze, fire7 expand. */
    @Param({"16x75->64", "128x75->16", "32x38->128", "256x38->32", "48x19->192", "512x10->64"})
    public String shape;

    private FmaConvolution int8;
    private Requantization epilogue;
    private byte[] in;
    private byte[] out;
    private float[] centred;
    private float[] sums;
    private float[] convScratch;
    private TiledConvolution fp32;
    private float[] inF;
    private float[] outF;
    private float[] fp32Scratch;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x|->");
        int c = Integer.parseInt(parts[0]), size = Integer.parseInt(parts[1]), oc = Integer.parseInt(parts[2]);
        Random rnd = new Random(7);
        ConvGeometry g = ConvGeometry.square(size, size, c, oc, 1, 1, 1, 0);
        byte[] w = new byte[oc * c];
        float[] wF = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (byte) (rnd.nextInt(49) - 24);
            wF[i] = w[i];
        }
        in = new byte[g.inputLength()];
        inF = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (rnd.nextInt(2) == 0 ? 0 : rnd.nextInt(256));
            inF[i] = (in[i] & 0xFF) / 255f;
        }
        int8 = new FmaConvolution(g, 0, w, false);
        float[] m = new float[oc];
        Arrays.fill(m, 1e-4f);
        epilogue = Requantization.toQuantized(m, new float[oc], true, new float[] {0f}, new float[] {6f}, 256, false);
        out = new byte[g.outputLength()];
        centred = new float[int8.centredFloats()];
        sums = new float[int8.sumFloats()];
        convScratch = new float[int8.convScratchFloats(1)];
        float[] bias = new float[oc];
        for (int i = 0; i < oc; i++) {
            bias[i] = (float) rnd.nextGaussian();
        }
        fp32 = new TiledConvolution(wF, 1, c, size, size, oc, size, size, 1, 1, 1, 1, 0, 0, 1, 1, 1,
                ChannelEpilogue.channels(oc).add(bias).relu());
        outF = new float[g.outputLength()];
        fp32Scratch = new float[fp32.scratchFloats()];
    }

    @Benchmark
    public byte[] int8OnFma() {
        int8.run(in, 0, epilogue, out, null, 0, centred, sums, convScratch);
        return out;
    }

    @Benchmark
    public float[] fp32() {
        fp32.run(inF, outF, fp32Scratch);
        return outF;
    }
}
