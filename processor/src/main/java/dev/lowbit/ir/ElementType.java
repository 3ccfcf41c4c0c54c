package dev.lowbit.ir;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The element types of OpenVINO IR constants and ports, with how each is stored in the .bin (little-endian,
 * 4-bit types packed two to a byte, low nibble first). Values decode to double, which holds every f32 and
 * every integer up to 2^53 exactly. An enum: immutable and thread-safe.
 */
public enum ElementType {
    F64("f64", 64, true, true),
    F32("f32", 32, true, true),
    F16("f16", 16, true, true),
    BF16("bf16", 16, true, true),
    I64("i64", 64, false, true),
    I32("i32", 32, false, true),
    I16("i16", 16, false, true),
    I8("i8", 8, false, true),
    I4("i4", 4, false, true),
    U64("u64", 64, false, false),
    U32("u32", 32, false, false),
    U16("u16", 16, false, false),
    U8("u8", 8, false, false),
    U4("u4", 4, false, false),
    BOOLEAN("boolean", 8, false, false);

    private final String irName;
    private final int bits;
    private final boolean floatingPoint;
    private final boolean signed;

    ElementType(String irName, int bits, boolean floatingPoint, boolean signed) {
        this.irName = irName;
        this.bits = bits;
        this.floatingPoint = floatingPoint;
        this.signed = signed;
    }

    /** The name used by {@code element_type} attributes: f32, i8, boolean ... */
    public String irName() {
        return irName;
    }

    public int bits() {
        return bits;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    public boolean isSigned() {
        return signed;
    }

    /** Bytes that {@code count} elements take in the .bin; 4-bit types round up to whole bytes. */
    public long byteSize(long count) {
        return bits == 4 ? (count + 1) / 2 : count * (bits / 8);
    }

    /** Parses an {@code element_type} attribute value ("f32", "u8", "boolean"); null if unknown. */
    public static ElementType fromIrName(String name) {
        if (name == null) {
            return null;
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ElementType t : values()) {
            if (t.irName.equals(n)) {
                return t;
            }
        }
        return switch (n) {
            case "bool" -> BOOLEAN;
            case "f8", "u1", "string", "dynamic", "undefined" -> null;
            default -> null;
        };
    }

    /** Parses a port {@code precision} attribute ("FP32", "FP16", "I64", "U8", "BOOL"); null if unknown. */
    public static ElementType fromPrecision(String precision) {
        if (precision == null) {
            return null;
        }
        return switch (precision.trim().toUpperCase(Locale.ROOT)) {
            case "FP64" -> F64;
            case "FP32" -> F32;
            case "FP16" -> F16;
            case "BF16" -> BF16;
            case "I64" -> I64;
            case "I32" -> I32;
            case "I16" -> I16;
            case "I8" -> I8;
            case "I4" -> I4;
            case "U64" -> U64;
            case "U32" -> U32;
            case "U16" -> U16;
            case "U8" -> U8;
            case "U4" -> U4;
            case "BOOL", "BOOLEAN" -> BOOLEAN;
            default -> fromIrName(precision);
        };
    }

    /**
     * Decodes {@code count} elements starting at byte {@code offset} of {@code bin}. The caller has checked
     * that {@code byteSize(count)} bytes are there.
     */
    public double[] decode(ByteBuffer bin, long offset, int count) {
        double[] out = new double[count];
        int base = Math.toIntExact(offset);
        for (int i = 0; i < count; i++) {
            out[i] = switch (this) {
                case F64 -> bin.getDouble(base + 8 * i);
                case F32 -> bin.getFloat(base + 4 * i);
                case F16 -> Float.float16ToFloat(bin.getShort(base + 2 * i));
                case BF16 -> Float.intBitsToFloat((bin.getShort(base + 2 * i) & 0xFFFF) << 16);
                case I64 -> bin.getLong(base + 8 * i);
                case I32 -> bin.getInt(base + 4 * i);
                case I16 -> bin.getShort(base + 2 * i);
                case I8 -> bin.get(base + i);
                case U64 -> unsignedLongToDouble(bin.getLong(base + 8 * i));
                case U32 -> Integer.toUnsignedLong(bin.getInt(base + 4 * i));
                case U16 -> bin.getShort(base + 2 * i) & 0xFFFF;
                case U8 -> bin.get(base + i) & 0xFF;
                case BOOLEAN -> bin.get(base + i) != 0 ? 1 : 0;
                case I4 -> signExtend4(nibble(bin, base, i));
                case U4 -> nibble(bin, base, i);
            };
        }
        return out;
    }

    /** Rounds a value to what this type can hold (float types to f32, the precision the evaluator computes in). */
    public double normalize(double v) {
        if (floatingPoint) {
            return this == F64 ? v : (float) v;
        }
        if (this == BOOLEAN) {
            return v != 0 ? 1 : 0;
        }
        return v;
    }

    private static int nibble(ByteBuffer bin, int base, int i) {
        int b = bin.get(base + i / 2) & 0xFF;
        return (i % 2 == 0) ? (b & 0x0F) : (b >>> 4);
    }

    private static int signExtend4(int v) {
        return (v << 28) >> 28;
    }

    private static double unsignedLongToDouble(long v) {
        double d = (double) (v & 0x7FFFFFFFFFFFFFFFL);
        return v < 0 ? d + 0x1.0p63 : d;
    }
}
