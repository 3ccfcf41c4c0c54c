package dev.lowbit.runtime.int8;

/**
 * How a layer's int8 input is stored: unsigned ({@code u8}, values 0..255) or signed ({@code i8}, -128..127),
 * and its per-tensor zero point in that same domain. Immutable and thread-safe.
 *
 * <p>Kernels compute in the unsigned domain: an i8 value {@code v} becomes {@code v + 128} (a XOR with 0x80 of
 * the stored byte) and the zero point moves by the same 128, so {@code x - z} is unchanged.
 */
public record QuantizedInput(boolean signed, int zeroPoint) {
    public QuantizedInput {
        int lo = signed ? -128 : 0;
        if (zeroPoint < lo || zeroPoint > lo + 255) {
            throw new IllegalArgumentException("zero point " + zeroPoint + " outside the " + (signed ? "i8" : "u8") + " range");
        }
    }

    public static QuantizedInput u8(int zeroPoint) {
        return new QuantizedInput(false, zeroPoint);
    }

    public static QuantizedInput i8(int zeroPoint) {
        return new QuantizedInput(true, zeroPoint);
    }

    /** The zero point in the unsigned domain the kernels compute in (0..255). */
    public int unsignedZeroPoint() {
        return signed ? zeroPoint + 128 : zeroPoint;
    }

    /** XOR mask turning a stored byte (after {@code & 0xFF}) into its unsigned-domain value. */
    int toUnsignedMask() {
        return signed ? 0x80 : 0;
    }
}
