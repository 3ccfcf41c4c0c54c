package dev.lowbit.benchmarks;

import dev.lowbit.benchmarks.baseline.Fp32Convolution;
import dev.lowbit.benchmarks.baseline.Fp32Depthwise;
import dev.lowbit.benchmarks.baseline.Fp32Gemv;
import dev.lowbit.runtime.int8.ConvGeometry;
import dev.lowbit.runtime.int8.FmaConvolution;
import dev.lowbit.runtime.int8.FmaLayout;
import dev.lowbit.runtime.int8.Int8ConvLayer;
import dev.lowbit.runtime.int8.Int8Convolution;
import dev.lowbit.runtime.int8.Int8DepthwiseConvolution;
import dev.lowbit.runtime.int8.Int8DepthwiseLayer;
import dev.lowbit.runtime.int8.Int8FullyConnected;
import dev.lowbit.runtime.int8.QuantizedInput;
import dev.lowbit.runtime.int8.Requantization;
import dev.lowbit.runtime.int8.WinogradLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * One layer set up twice, as the int8 kernel (u8 in, u8 out with fused ReLU + requantization) and as the fp32
 * baseline (fp32 in, fp32 out with bias + ReLU), on the same random data, so the benchmarks measure both in one
 * run; convolutions also as the int8 layer on f32 FMA ({@link FmaConvolution}, what generated code calls for
 * most int8 convolutions). Not thread-safe: one per benchmark thread.
 */
final class KernelFixture {
    private final Runnable int8;
    private final Runnable fp32;
    private final Runnable fma;
    final byte[] outB;
    final float[] outF;
    /** The FmaConvolution variant's levels (convolutions only, else null). */
    final byte[] outFma;

    private KernelFixture(Runnable int8, Runnable fp32, Runnable fma, byte[] outB, float[] outF, byte[] outFma) {
        this.int8 = int8;
        this.fp32 = fp32;
        this.fma = fma;
        this.outB = outB;
        this.outF = outF;
        this.outFma = outFma;
    }

    /** The same int8 layer on {@link FmaConvolution} (convolutions only). */
    void runFma() {
        if (fma == null) {
            throw new IllegalStateException("only convolution fixtures have an FmaConvolution variant");
        }
        fma.run();
    }

    void runInt8() {
        int8.run();
    }

    void runFp32() {
        fp32.run();
    }

    /** Square map {@code size x size}, {@code channels -> channels}, 'same' padding, stride 1. */
    static KernelFixture convolution(int size, int channels, int kernel) {
        Random rnd = new Random(42);
        ConvGeometry g = ConvGeometry.square(size, size, channels, channels, 1, kernel, 1, kernel / 2);
        byte[] w = bytes(rnd, channels * channels * kernel * kernel);
        byte[] in = bytes(rnd, g.inputLength());
        Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(3), w);
        Requantization r = quantizedEpilogue(channels);
        int[] scratch = new int[layer.scratchInts()];
        byte[] outB = new byte[g.outputLength()];

        Fp32Convolution f = new Fp32Convolution(size, size, channels, channels, kernel, kernel / 2, floats(w));
        float[] inF = floats(in);
        float[] plane = new float[f.planeFloats()];
        float[] bias = new float[channels];
        float[] outF = new float[g.outputLength()];
        // the f32-FMA form of the same int8 layer, levels NCHW; random weights up to 128 in magnitude break its
        // exactness bound at 1152 terms (trained layers stay inside it, FmaLayout checks), so they are halved
        // there: the work per call does not depend on the values
        byte[] wFma = FmaLayout.takes(g, w, 3) ? w : halved(w);
        if (kernel == 3 && !WinogradLayout.takes(g, wFma, 3)) {
            // the 3x3 benchmarks document the Winograd path the generated code takes for such layers
            throw new IllegalStateException("3x3 fixture weights exceed Winograd's bound: " + WinogradLayout.largestPartialSum(g, wFma, 3));
        }
        FmaConvolution fma = new FmaConvolution(g, 3, wFma);
        float[] centred = new float[fma.centredFloats()], sums = new float[fma.sumFloats()];
        float[] convScratch = new float[fma.convScratchFloats(1)];
        byte[] outFma = new byte[g.outputLength()];
        return new KernelFixture(() -> Int8Convolution.runQuantized(layer, r, in, 0, outB, 0, scratch),
                () -> f.run(inF, plane, bias, outF),
                () -> fma.run(in, 0, r, outFma, null, 0, centred, sums, convScratch), outB, outF, outFma);
    }

    private static byte[] halved(byte[] w) {
        byte[] h = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            h[i] = (byte) (w[i] / 2);
        }
        return h;
    }

    static KernelFixture depthwise(int size, int channels, int kernel) {
        Random rnd = new Random(43);
        ConvGeometry g = ConvGeometry.square(size, size, channels, channels, channels, kernel, 1, kernel / 2);
        byte[] w = bytes(rnd, channels * kernel * kernel);
        byte[] in = bytes(rnd, g.inputLength());
        Int8DepthwiseLayer layer = Int8DepthwiseLayer.pack(g, QuantizedInput.u8(3), w);
        Requantization r = quantizedEpilogue(channels);
        int[] scratch = new int[layer.scratchInts()];
        byte[] outB = new byte[g.outputLength()];

        Fp32Depthwise f = new Fp32Depthwise(size, size, channels, kernel, floats(w));
        float[] inF = floats(in);
        float[] plane = new float[f.planeFloats()];
        float[] bias = new float[channels];
        float[] outF = new float[g.outputLength()];
        return new KernelFixture(() -> Int8DepthwiseConvolution.runQuantized(layer, r, in, 0, outB, 0, scratch),
                () -> f.run(inF, plane, bias, outF), null, outB, outF, null);
    }

    /** Batch 1. */
    static KernelFixture fullyConnected(int inputs, int outputs) {
        Random rnd = new Random(44);
        byte[] w = bytes(rnd, inputs * outputs);
        byte[] in = bytes(rnd, inputs);
        Int8ConvLayer layer = Int8FullyConnected.pack(1, inputs, outputs, QuantizedInput.u8(3), w);
        Requantization r = quantizedEpilogue(outputs);
        int[] scratch = new int[layer.scratchInts()];
        byte[] outB = new byte[outputs];

        Fp32Gemv f = new Fp32Gemv(inputs, outputs, floats(w));
        float[] inF = floats(in);
        float[] bias = new float[outputs];
        float[] outF = new float[outputs];
        return new KernelFixture(() -> Int8FullyConnected.runQuantized(layer, r, in, 0, outB, 0, scratch),
                () -> f.run(inF, bias, outF), null, outB, outF, null);
    }

    private static Requantization quantizedEpilogue(int channels) {
        float[] m = new float[channels];
        Arrays.fill(m, 1e-4f);
        return Requantization.toQuantized(m, new float[channels], true, new float[] {0f}, new float[] {6f}, 256, false);
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static float[] floats(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = b[i];
        }
        return f;
    }
}
