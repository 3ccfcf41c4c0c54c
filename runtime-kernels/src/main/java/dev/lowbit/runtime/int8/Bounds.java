package dev.lowbit.runtime.int8;

/**
 * Up-front argument checks of the kernels, so a wrong offset fails with a message instead of deep in a vector load.
 * Stateless, thread-safe.
 */
final class Bounds {
    private Bounds() {
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
