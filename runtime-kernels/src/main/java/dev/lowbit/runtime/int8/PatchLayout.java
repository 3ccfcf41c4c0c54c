package dev.lowbit.runtime.int8;

/**
 * The build-time side of {@link PatchGather}: which layers run on gathered patches, the 1x1 geometry they then
 * have and their weights in patch order. Kept apart from the gather because the processor calls it inside javac,
 * where {@code jdk.incubator.vector} is not loaded (a class with Vector API fields fails to initialize there).
 * Stateless static methods; thread-safe.
 */
public final class PatchLayout {
    /**
     * Largest input channel count gathered. Measured (one JVM, direct vs gathered, 2026-12-01): 3 channels 1.5-2x
     * faster gathered, 8 and 16 channels 1.1-1.6x, 32 channels 2-3x slower (a 288-value patch per pixel costs more
     * than the direct kernel's 16 pairs per tap save).
     */
    public static final int MAX_CHANNELS = 16;

    private PatchLayout() {
    }

    /** Whether a layer is run on gathered patches: one group, a kernel larger than 1x1, at most {@value #MAX_CHANNELS} channels. */
    public static boolean worthGathering(ConvGeometry g) {
        return g.groups() == 1 && g.kernelH() * g.kernelW() > 1 && g.inChannels() <= MAX_CHANNELS;
    }

    /** The 1x1 convolution over the output grid that the gathered patches feed. */
    public static ConvGeometry patchGeometry(ConvGeometry g) {
        return new ConvGeometry(g.outH(), g.outW(), patchChannels(g), g.outChannels(), 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1);
    }

    /** Channels of one patch pixel: every tap of the receptive field, channels innermost. */
    public static int patchChannels(ConvGeometry g) {
        return g.kernelH() * g.kernelW() * g.inChannels();
    }

    /** OIHW weights ({@code [oc][c][ky][kx]}) reordered to the patch order {@code [oc][ky][kx][c]}. */
    public static byte[] patchWeights(ConvGeometry g, byte[] oihw) {
        int c = g.inChannels(), taps = g.kernelH() * g.kernelW(), k = c * taps;
        if (oihw.length != g.outChannels() * k) {
            throw new IllegalArgumentException(oihw.length + " weights, " + g + " needs " + g.outChannels() * k);
        }
        byte[] w = new byte[oihw.length];
        for (int oc = 0; oc < g.outChannels(); oc++) {
            for (int ch = 0; ch < c; ch++) {
                for (int t = 0; t < taps; t++) {
                    w[oc * k + t * c + ch] = oihw[oc * k + ch * taps + t];
                }
            }
        }
        return w;
    }
}
