package dev.lowbit.runtime.fp32;

/**
 * The element-wise binary ops, each computed in float (one correctly rounded operation, the same value the
 * reference gets by rounding its double result to float). Immutable, thread-safe.
 */
public enum BinaryOp {
    ADD, SUBTRACT, MULTIPLY, DIVIDE, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE;

    public float apply(float a, float b) {
        return switch (this) {
            case ADD -> a + b;
            case SUBTRACT -> a - b;
            case MULTIPLY -> a * b;
            case DIVIDE -> a / b;
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case SQUARED_DIFFERENCE -> (a - b) * (a - b);
        };
    }
}
