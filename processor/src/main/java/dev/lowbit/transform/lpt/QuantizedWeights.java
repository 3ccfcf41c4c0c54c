package dev.lowbit.transform.lpt;

/**
 * Folded int8 weights of one Convolution, GroupConvolution or MatMul: {@code w_real[r][k] ~= scale[r] * values[r*K + k]}
 * with one row per output channel. Layout: Convolution OIHW ({@code [O, I, kh, kw]}), GroupConvolution
 * {@code [G*O, I/G, kh, kw]} (row = g*O + o), MatMul {@code [N, K]} whatever transpose_b was. Immutable by contract
 * (the arrays are not copied on read: do not modify them), and then thread-safe.
 *
 * @param values          int8 weights, row-major, rows x rowLength
 * @param rows            output channels (all groups)
 * @param rowLength       K, the reduction length per output channel
 * @param scale           per-row scale (f32 as the IR's constants give it)
 * @param zeroPointResidual per-row weight zero point left after rounding it into {@code values}; it is dropped
 *                        by the int8 arithmetic (the 2021.4 IRs store +-2^-17 instead of 0): an approximation that
 *                        {@link #maxDroppedZeroPoint} reports and the simulator's comparison measures
 * @param encoding        which IR pattern the weights came from (for the report)
 */
public record QuantizedWeights(byte[] values, int rows, int rowLength, float[] scale, double[] zeroPointResidual,
        String encoding) {

    public int value(int row, int k) {
        return values[row * rowLength + k];
    }

    /** Sum of the int8 weights of one row over reduction indices {@code [from, to)}. */
    public long rowSum(int row, int from, int to) {
        long s = 0;
        for (int k = from; k < to; k++) {
            s += values[row * rowLength + k];
        }
        return s;
    }

    public double maxDroppedZeroPoint() {
        double m = 0;
        for (double z : zeroPointResidual) {
            m = Math.max(m, Math.abs(z));
        }
        return m;
    }
}
