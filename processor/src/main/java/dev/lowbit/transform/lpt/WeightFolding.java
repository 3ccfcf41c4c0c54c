package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.ConstantValues;

/**
 * Recognizes the weight subgraph of a Convolution, GroupConvolution or MatMul and folds it into int8 weights with
 * a per-output-channel scale. Patterns (each optionally followed by a Reshape, as GroupConvolution weights are):
 * <ul>
 *   <li>A: {@code Const i8 -> Convert -> Multiply(scale)}</li>
 *   <li>B: {@code Const i8 -> Convert -> Subtract(zero point) -> Multiply(scale)}</li>
 *   <li>C: {@code Const u8 -> Convert -> FakeQuantize} and {@code Const f32/f16 -> FakeQuantize}: the FakeQuantize
 *       level index minus its (integral) zero point is the int8 weight, the level step is the scale.</li>
 * </ul>
 * A zero point is rounded into the int8 values; the fractional remainder (the +-2^-17 of the 2021.4 IRs) is kept
 * in {@link QuantizedWeights#zeroPointResidual} and accepted only below {@value #MAX_RESIDUAL}. Stateless apart from
 * the constant cache it is given; not thread-safe.
 */
public final class WeightFolding {
    /** Largest fractional weight zero point accepted as an approximation (2^-17 occurs; 1e-3 is far below a level). */
    public static final double MAX_RESIDUAL = 1e-3;

    /** Below this, a fractional zero point is double rounding noise of {@code -ol/step}, not part of the IR. */
    private static final double NOISE = 1e-9;

    /** How the weights are laid out by the consuming op. Thread-safe (an enum). */
    public enum Layout { CONVOLUTION, GROUP_CONVOLUTION, MATMUL_B, MATMUL_B_TRANSPOSED }

    /** Folded weights, or null with the reason why not. Immutable by contract, thread-safe. */
    public record Result(QuantizedWeights weights, String reason) {
        static Result no(String why) {
            return new Result(null, why);
        }
    }

    private final ConstantValues constants;
    private final Graph graph;

    public WeightFolding(ConstantValues constants) {
        this.constants = constants;
        this.graph = constants.graph();
    }

    public Result fold(ValueRef weights, Layout layout) {
        int[] finalShape = graph.port(weights).shape();
        int rows;
        switch (layout) {
            case CONVOLUTION -> rows = finalShape[0];
            case GROUP_CONVOLUTION -> rows = finalShape[0] * finalShape[1];
            case MATMUL_B -> rows = finalShape.length == 2 ? finalShape[1] : -1;
            default -> rows = finalShape.length == 2 ? finalShape[0] : -1;
        }
        if (rows <= 0) {
            return Result.no("weights of shape " + java.util.Arrays.toString(finalShape) + " are not a 2-D MatMul operand");
        }
        if (!constants.isConstant(weights)) {
            return Result.no("weights are not a build-time constant");
        }
        ValueRef v = weights;
        Node n = graph.node(v.node());
        if (n.is("Reshape")) {
            v = n.input(0); // row-major order is unchanged by Reshape
            n = graph.node(v.node());
        }
        int total = graph.port(v).size();
        int[] shape = graph.port(v).shape();
        double[] level; // integer level per element
        double[] zero;  // real zero point per element
        double[] scale; // real scale per element
        String encoding;
        if (n.is("FakeQuantize")) {
            int levels = n.attributes().intValue("levels");
            if (levels > 256) {
                return Result.no("weight FakeQuantize has " + levels + " levels");
            }
            double[] x = constants.value(n.input(0)).toDoubleArray();
            double[] il = NumpyBroadcast.expand(constants.value(n.input(1)), shape);
            double[] ih = NumpyBroadcast.expand(constants.value(n.input(2)), shape);
            double[] ol = NumpyBroadcast.expand(constants.value(n.input(3)), shape);
            double[] oh = NumpyBroadcast.expand(constants.value(n.input(4)), shape);
            level = new double[total];
            zero = new double[total];
            scale = new double[total];
            for (int i = 0; i < total; i++) {
                QuantGrid g = QuantGrid.perTensor(levels, (float) il[i], (float) ih[i], (float) ol[i], (float) oh[i]);
                level[i] = g.quantize((float) x[i], 0);
                scale[i] = (float) g.step(0);
                zero[i] = g.zeroPoint(0);
            }
            Node data = graph.node(n.input(0).node());
            encoding = data.is("Convert") ? "C: " + graph.port(data.input(0)).type().irName() + " Const -> Convert -> FakeQuantize(levels " + levels + ")"
                    : "Const " + graph.port(n.input(0)).type().irName() + " -> FakeQuantize(levels " + levels + ")";
        } else if (n.is("Multiply")) {
            int ci = constants.isConstantNode(graph.producer(n, 1)) && isDequantizedData(graph.producer(n, 0)) ? 1 : 0;
            Node data = graph.producer(n, 1 - ci);
            scale = NumpyBroadcast.expand(constants.value(n.input(ci)), shape);
            if (data.is("Subtract")) {
                zero = NumpyBroadcast.expand(constants.value(data.input(1)), shape);
                data = graph.producer(data, 0);
                encoding = "B: i8 -> Convert -> Subtract -> Multiply";
            } else {
                zero = new double[total];
                encoding = "A: i8 -> Convert -> Multiply";
            }
            if (!data.is("Convert") || !graph.producer(data, 0).is("Const")) {
                return Result.no("weights Multiply is not fed by Convert(Const)");
            }
            Tensor raw = graph.producer(data, 0).constant();
            if (raw.type().isFloatingPoint() || raw.type().bits() != 8) {
                return Result.no("weights Const is " + raw.type().irName() + ", not an 8-bit integer");
            }
            if (raw.type().isSigned() == false) {
                encoding = encoding.replace("i8", "u8");
            }
            level = raw.toDoubleArray();
        } else {
            return Result.no("weights are " + n.type() + ", not a quantized pattern (A, B, C or FakeQuantize)");
        }
        return pack(level, zero, scale, finalShape, rows, layout, encoding);
    }

    private static boolean isDequantizedData(Node n) {
        return n.is("Convert") || n.is("Subtract");
    }

    private Result pack(double[] level, double[] zero, double[] scale, int[] finalShape, int rows, Layout layout,
            String encoding) {
        int total = level.length;
        int k = total / rows;
        byte[] values = new byte[total];
        float[] rowScale = new float[rows];
        double[] rowResidual = new double[rows];
        boolean[] seen = new boolean[rows];
        for (int i = 0; i < total; i++) {
            int row, col;
            if (layout == Layout.MATMUL_B) { // [K, N] -> row n, column k
                row = i % rows;
                col = i / rows;
            } else {
                row = i / k;
                col = i % k;
            }
            double zr = Math.rint(zero[i]);
            double residual = zero[i] - zr;
            if (Math.abs(residual) < NOISE) {
                residual = 0; // -ol/step computed in double from f32 ranges: 127 up to double rounding
            }
            if (!seen[row]) {
                seen[row] = true;
                rowScale[row] = (float) scale[i];
                rowResidual[row] = residual;
            } else if ((float) scale[i] != rowScale[row] || residual != rowResidual[row]) {
                return Result.no("weight scale or zero point is not constant per output channel (row " + row + ")");
            }
            if (Math.abs(residual) > MAX_RESIDUAL) {
                return Result.no("weight zero point " + zero[i] + " is not an integer (row " + row + ")");
            }
            double w = level[i] - zr;
            if (w < -128 || w > 127) {
                return Result.no("weight level " + level[i] + " minus zero point " + zr + " leaves int8 range");
            }
            values[row * k + col] = (byte) w;
        }
        return new Result(new QuantizedWeights(values, rows, k, rowScale, rowResidual, encoding), null);
    }
}
