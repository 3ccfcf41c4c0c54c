package dev.lowbit.runtime.int8;

/**
 * Up-front argument checks of the kernels, so a wrong offset fails with a message instead of deep in a vector load.
 * Stateless, thread-safe.
 */
final class Bounds {
    private Bounds() {
    }

    /**
     * The checks every int8 convolution kernel makes before it starts: the requantization's channels, the scratch for
     * {@code workers} threads ({@code scratchNeeded} ints), and the input and output ranges ({@link #check}).
     */
    static void convolution(ConvGeometry g, Requantization r, int[] scratch, int scratchNeeded, int workers, byte[] in,
            int inOff, int outArrayLength, int outOff) {
        if (r.channels() != g.outChannels()) {
            throw new IllegalArgumentException("requantization has " + r.channels() + " channels, layer " + g.outChannels());
        }
        if (scratch.length < scratchNeeded) {
            throw new IllegalArgumentException("scratch has " + scratch.length + " ints, layer needs " + scratchNeeded
                    + " for " + workers + " thread(s)");
        }
        check(in, inOff, g.inputLength(), outArrayLength, outOff, g.outputLength());
    }

    static void check(byte[] in, int inOff, int inLength, int outArrayLength, int outOff, int outLength) {
        if (inOff < 0 || in.length - inOff < inLength) {
            throw new IllegalArgumentException("input: " + inLength + " values needed from offset " + inOff + ", array has " + in.length);
        }
        if (outOff < 0 || outArrayLength - outOff < outLength) {
            throw new IllegalArgumentException("output: " + outLength + " values needed from offset " + outOff + ", array has " + outArrayLength);
        }
    }
}
