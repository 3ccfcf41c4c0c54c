package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.transform.ConstantValues;

/**
 * Decomposes an activation FakeQuantize into a quantize step (f32 -> level index, u8 storage) and the grid that
 * dequantizes it. Can be transformed: levels <= 256, constant ranges that are per tensor or per channel (axis 1)
 * with input_low < input_high and output_low < output_high,
 * a data input that is not constant (weight FakeQuantizes belong to {@link WeightFolding}). Nothing is rounded:
 * the grid keeps the IR's ranges, so non-integer zero points stay exact. Not thread-safe (shares the constant cache).
 */
public final class FakeQuantizeDecomposition {
    /** The grid of a decomposable FakeQuantize, or null with the reason why not. Immutable, thread-safe. */
    public record Result(QuantGrid grid, String reason) {}

    private final ConstantValues constants;
    private final Graph graph;

    public FakeQuantizeDecomposition(ConstantValues constants) {
        this.constants = constants;
        this.graph = constants.graph();
    }

    public Result decompose(Node fq) {
        if (!fq.is("FakeQuantize")) {
            return new Result(null, "not a FakeQuantize");
        }
        if (constants.isConstant(fq.input(0))) {
            return new Result(null, "constant data: a weight FakeQuantize");
        }
        int levels = fq.attributes().intValue("levels");
        if (levels < 2 || levels > 256) {
            return new Result(null, "levels=" + levels + " does not fit 8 bits");
        }
        int[] shape = graph.port(fq.input(0)).shape();
        if (shape.length < 2) {
            return new Result(null, "data of rank " + shape.length + " has no channel axis");
        }
        float[][] ranges = new float[4][];
        int channels = 1;
        for (int i = 0; i < 4; i++) {
            if (!constants.isConstant(fq.input(i + 1))) {
                return new Result(null, "range input " + (i + 1) + " is not constant");
            }
            double[] v = NumpyBroadcast.alongAxis(constants.value(fq.input(i + 1)), shape, 1);
            if (v == null) {
                return new Result(null, "range input " + (i + 1) + " is neither per tensor nor per channel (axis 1)");
            }
            boolean allSame = true;
            for (double d : v) {
                allSame &= d == v[0];
            }
            ranges[i] = new float[allSame ? 1 : v.length];
            for (int c = 0; c < ranges[i].length; c++) {
                ranges[i][c] = (float) v[c];
            }
            channels = Math.max(channels, ranges[i].length);
        }
        for (int i = 0; i < 4; i++) {
            if (ranges[i].length != channels) {
                float[] e = new float[channels];
                java.util.Arrays.fill(e, ranges[i][0]);
                ranges[i] = e;
            }
        }
        for (int c = 0; c < channels; c++) {
            if (!(ranges[1][c] > ranges[0][c])) {
                return new Result(null, "input range [" + ranges[0][c] + ", " + ranges[1][c] + "] of channel " + c
                        + " is empty or inverted");
            }
            // the int8 kernels take the level order for the value order (max pool, ReLU, requantization), and an
            // empty range has no step to dequantize by
            if (!(ranges[3][c] > ranges[2][c])) {
                return new Result(null, "output range [" + ranges[2][c] + ", " + ranges[3][c] + "] of channel " + c
                        + " is empty or inverted");
            }
        }
        return new Result(new QuantGrid(levels, ranges[0], ranges[1], ranges[2], ranges[3]), null);
    }
}
