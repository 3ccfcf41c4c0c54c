package dev.lowbit.runtime.int8;

import dev.lowbit.runtime.fp32.TiledConvolution;

/**
 * An int8 convolution with few output channels, its exact integer dot products computed on the f32 FMA units.
 *
 * <p>Why: the int8 kernels vectorize over 16 output channels, so a layer with 1 or 4 outputs (the last layers of
 * text-image-super-resolution, on a 1080 x 1920 image) uses 1/16 or 1/4 of every vector: 0.3-1.7 GMAC/s. The f32
 * tiled convolution vectorizes over pixels instead.
 *
 * <p>Exactness: the input levels are centred ({@code q - z}, |value| <= 255) and the weights are the int8 values
 * (|w| <= 128), so every product is an integer of magnitude at most 32640, and with at most {@link NarrowLayout#MAX_REDUCTION}
 * terms every partial sum is an integer below 2^24: f32 represents all of them exactly, in any summation order.
 * Padding taps are 0 after centring, as the int8 kernels' padding with the zero point. So {@code D} is the same
 * integer the int8 kernels compute, and the epilogue is {@link Requantization}'s own scalar form: the outputs are
 * bit-identical (NarrowConvolutionTest). Immutable; {@link #run} is thread-safe with distinct buffers.
 */
public final class NarrowConvolution {
    private final ConvGeometry g;
    private final int zeroPoint;
    private final TiledConvolution conv;

    /**
     * @param oihw the layer's int8 weights {@code [oc][ic][kh][kw]} (one group)
     * @param zeroPoint the input's integer zero point (u8 levels)
     */
    public NarrowConvolution(ConvGeometry g, int zeroPoint, byte[] oihw) {
        if (!NarrowLayout.takes(g)) {
            throw new IllegalArgumentException(g + " is not a narrow single-group layer with a reduction of at most " + NarrowLayout.MAX_REDUCTION);
        }
        this.g = g;
        this.zeroPoint = zeroPoint;
        float[] w = new float[oihw.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = oihw[i];
        }
        this.conv = new TiledConvolution(w, 1, g.inChannels(), g.inH(), g.inW(), g.outChannels(), g.outH(), g.outW(),
                g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), 1);
    }

    /** Floats {@link #run} needs in {@code centred}: the input planes. */
    public int centredFloats() {
        return g.inChannels() * g.inH() * g.inW();
    }

    /** Floats {@link #run} needs in {@code sums}: the exact dot products, NCHW. */
    public int sumFloats() {
        return g.outChannels() * g.outH() * g.outW();
    }

    /** Floats {@link #run} needs in {@code convScratch} (the tiled convolution's padded or gathered planes). */
    public int convScratchFloats() {
        return conv.scratchFloats();
    }

    /**
     * One image: levels at {@code in[inOff]} (NHWC when {@code channelsLastIn}, else NCHW), epilogue {@code r};
     * writes quantized levels to {@code outB} (NHWC when {@code channelsLastOut}) or, with {@code outB} null, fp32
     * NCHW values to {@code outF}, at {@code outOff}. The three scratch arrays are distinct, sized as above.
     */
    public void run(byte[] in, int inOff, boolean channelsLastIn, Requantization r, byte[] outB, float[] outF, int outOff,
            boolean channelsLastOut, float[] centred, float[] sums, float[] convScratch) {
        int c = g.inChannels(), pixelsIn = g.inH() * g.inW(), oc = g.outChannels(), pixelsOut = g.outH() * g.outW();
        if (centred.length < centredFloats() || sums.length < sumFloats()) {
            throw new IllegalArgumentException("scratch of " + centred.length + " and " + sums.length + " floats, need "
                    + centredFloats() + " and " + sumFloats());
        }
        if (r.channels() != oc || r.quantized() != (outB != null)) {
            throw new IllegalArgumentException("epilogue for " + r.channels() + " channels (quantized " + r.quantized()
                    + ") does not fit " + oc + " outputs written as " + (outB != null ? "levels" : "fp32"));
        }
        Bounds.check(in, inOff, g.inputLength(), outB != null ? outB.length : outF.length, outOff, g.outputLength());
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < pixelsIn; p++) {
                int at = inOff + (channelsLastIn ? p * c + ch : ch * pixelsIn + p);
                centred[ch * pixelsIn + p] = (in[at] & 0xFF) - zeroPoint;
            }
        }
        conv.run(centred, sums, convScratch);
        for (int o = 0; o < oc; o++) {
            for (int p = 0; p < pixelsOut; p++) {
                int d = (int) sums[o * pixelsOut + p];
                if (outB != null) {
                    outB[outOff + (channelsLastOut ? p * oc + o : o * pixelsOut + p)] = (byte) r.quantizeScalar(d, o);
                } else {
                    outF[outOff + o * pixelsOut + p] = r.floatScalar(d, o);
                }
            }
        }
    }
}
