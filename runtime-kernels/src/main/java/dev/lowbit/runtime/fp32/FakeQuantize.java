package dev.lowbit.runtime.fp32;

/**
 * FakeQuantize-1 executed literally in float, in the specification's order, rounding half to even
 * ({@code Math.rint}), over an [outer][c][inner] view whose range operands hold one value or one per
 * channel. Stateless, thread-safe when callers pass distinct buffers.
 */
public final class FakeQuantize {
    private FakeQuantize() {}

    public static void apply(float[] x, float[] y, int outer, int c, int inner, float[] inLow, float[] inHigh,
            float[] outLow, float[] outHigh, int levels) {
        float steps = levels - 1;
        for (int o = 0; o < outer; o++) {
            for (int ch = 0; ch < c; ch++) {
                float il = inLow[inLow.length == 1 ? 0 : ch];
                float ih = inHigh[inHigh.length == 1 ? 0 : ch];
                float ol = outLow[outLow.length == 1 ? 0 : ch];
                float oh = outHigh[outHigh.length == 1 ? 0 : ch];
                int base = (o * c + ch) * inner;
                for (int j = 0; j < inner; j++) {
                    y[base + j] = quantize(x[base + j], il, ih, ol, oh, steps);
                }
            }
        }
    }

    /** One element: the specification's formula, each operation in float. */
    public static float quantize(float x, float il, float ih, float ol, float oh, float steps) {
        if (x <= Math.min(il, ih)) {
            return ol;
        }
        if (x > Math.max(il, ih)) {
            return oh;
        }
        float q = (float) Math.rint((x - il) / (ih - il) * steps);
        return q / steps * (oh - ol) + ol;
    }
}
