package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.transform.ConstantValues;
import java.util.Map;

/**
 * Moves dequantization through a MatMul with a quantized 2-D activation A ([M,K], or [K,M] with transpose_a) and
 * constant weights B folded to [N,K] by {@link WeightFolding} (transpose_b either way); bias Add, ReLU and the
 * next FakeQuantize fused by {@link EpilogueFusion}. Not thread-safe (shares the constant cache).
 */
public final class MatMulLowering {
    /** The lowered layer, or null with the reason why not. Immutable by contract, thread-safe. */
    public record Result(QuantizedLinear step, String reason) {}

    private final Graph graph;
    private final WeightFolding folding;
    private final EpilogueFusion epilogue;

    public MatMulLowering(ConstantValues constants) {
        this.graph = constants.graph();
        this.folding = new WeightFolding(constants);
        this.epilogue = new EpilogueFusion(constants);
    }

    public static boolean applies(Node n) {
        return n.is("MatMul");
    }

    public Result lower(Node mm, Map<ValueRef, QuantGrid> grids) {
        QuantGrid in = grids.get(mm.input(0));
        if (in == null) {
            return new Result(null, "input A is not quantized (no FakeQuantize in front of it)");
        }
        boolean ta = mm.attributes().bool("transpose_a", false);
        boolean tb = mm.attributes().bool("transpose_b", false);
        int[] aShape = graph.port(mm.input(0)).shape();
        int[] outShape = mm.output(0).shape();
        if (aShape.length != 2 || outShape.length != 2) {
            return new Result(null, "only 2-D MatMul (fully connected) is lowered, A is " + aShape.length + "-D");
        }
        if (ta && !in.isPerTensor()) {
            return new Result(null, "transposed A needs a per-tensor grid");
        }
        WeightFolding.Result w = folding.fold(mm.input(1),
                tb ? WeightFolding.Layout.MATMUL_B_TRANSPOSED : WeightFolding.Layout.MATMUL_B);
        if (w.weights() == null) {
            return new Result(null, w.reason());
        }
        return new Result(epilogue.lower(mm, 1, w.weights().rows(), f -> QuantizedLinear.build(
                QuantizedLinear.Kind.MATMUL, mm, f.fused(), mm.input(0), f.output(), aShape, outShape, 1,
                new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, ta, w.weights(), in, f.bias(),
                f.relu(), f.preluSlope(), f.postScale(), f.postShift(), f.requant())), null);
    }
}
