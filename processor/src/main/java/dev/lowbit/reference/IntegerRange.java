package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * The value range of each integer element type. Integer results that leave the range of their type are
 * an error here, not a silent wrap-around: OpenVINO leaves most of those cases undefined and no real model
 * relies on them. Stateless, thread-safe.
 */
final class IntegerRange {
    private IntegerRange() {}

    static long min(ElementType t) {
        return switch (t) {
            case I64 -> Long.MIN_VALUE;
            case I32 -> Integer.MIN_VALUE;
            case I16 -> Short.MIN_VALUE;
            case I8 -> Byte.MIN_VALUE;
            case I4 -> -8;
            case U64, U32, U16, U8, U4, BOOLEAN -> 0;
            default -> throw new IllegalArgumentException(t + " is not an integer type");
        };
    }

    /** The largest value (u64 is capped at {@code Long.MAX_VALUE}, the evaluator's integer arithmetic). */
    static long max(ElementType t) {
        return switch (t) {
            case I64, U64 -> Long.MAX_VALUE;
            case I32 -> Integer.MAX_VALUE;
            case U32 -> 0xFFFF_FFFFL;
            case I16 -> Short.MAX_VALUE;
            case U16 -> 0xFFFF;
            case I8 -> Byte.MAX_VALUE;
            case U8 -> 0xFF;
            case I4 -> 7;
            case U4 -> 15;
            case BOOLEAN -> 1;
            default -> throw new IllegalArgumentException(t + " is not an integer type");
        };
    }

    /** Returns {@code v} if type {@code t} can hold it, else an error naming the layer. */
    static long check(Node node, ElementType t, long v) {
        if (v < min(t) || v > max(t)) {
            throw new IrException(node, "integer result " + v + " does not fit in " + t.irName());
        }
        return v;
    }
}
