package dev.lowbit.transform.lpt;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.transform.ConstantValues;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.Map;

/**
 * Moves dequantization through a 2-D Convolution or GroupConvolution (depthwise included): quantized input,
 * weights folded by {@link WeightFolding}, epilogue fused by {@link EpilogueFusion}. Can be transformed: NCHW
 * input with a grid whose step and zero point are constant within each group's channels or split into runs
 * (see {@link QuantizedLinear}), foldable weights, 4-D tensors. Not thread-safe (shares the constant cache).
 */
public final class ConvolutionLowering {
    /** The lowered layer, or null with the reason why not. Immutable by contract, thread-safe. */
    public record Result(QuantizedLinear step, String reason) {}

    /**
     * Largest distance, in input levels, between a fractional zero point and the integer level the generated int8
     * kernels pad with, for which a kernel may omit the border term (only the int8 kernel {@code Int8Convolution}
     * does; {@code FmaConvolution} and the depthwise kernel carry it). Among the shared IRs the f16-rounded ranges give up
     * to 0.0314 (landmarks 2021.2 and 2021.3, layer 80; 0.00707 in face-detection-retail's first layer, where 62 of
     * 720,000 levels differ, by one), and those models meet their oracle checks; a coarse grid such as levels=2 over
     * a symmetric range gives 0.5, whose omitted term moved landmarks' outputs by 2.7% of their largest against the
     * oracle (a probe of real-IR mutants, 2026-12-04). 1/8 lies a factor of four from both: such a layer stays fp32.
     */
    public static final double KERNELS_MAX_BORDER_RESIDUAL = 1.0 / 8;

    private final Graph graph;
    private final WeightFolding folding;
    private final EpilogueFusion epilogue;
    private final double maxBorderResidual;
    private final Predicate<QuantizedLinear> carriesBorderTerm;

    /** Lowers every convolution it can, whatever its zero point (the layer carries its border term). */
    public ConvolutionLowering(ConstantValues constants) {
        this(constants, Double.POSITIVE_INFINITY, l -> true);
    }

    /**
     * As above, but leaves in fp32 a layer whose zero point lies more than {@code maxBorderResidual} of a level from
     * the integer padding level and whose kernel does not {@code carriesBorderTerm}.
     */
    public ConvolutionLowering(ConstantValues constants, double maxBorderResidual,
            Predicate<QuantizedLinear> carriesBorderTerm) {
        this.maxBorderResidual = maxBorderResidual;
        this.carriesBorderTerm = carriesBorderTerm;
        this.graph = constants.graph();
        this.folding = new WeightFolding(constants);
        this.epilogue = new EpilogueFusion(constants);
    }

    public static boolean applies(Node n) {
        return n.is("Convolution") || n.is("GroupConvolution");
    }

    public Result lower(Node conv, Map<dev.lowbit.graph.ValueRef, QuantGrid> grids) {
        boolean group = conv.is("GroupConvolution");
        QuantGrid in = grids.get(conv.input(0));
        int[] inShape = graph.port(conv.input(0)).shape();
        int[] outShape = conv.output(0).shape();
        int[] wShape = graph.port(conv.input(1)).shape();
        if (inShape.length != 4 || wShape.length != (group ? 5 : 4)) {
            return new Result(null, "only 2-D convolutions (4-D NCHW tensors) are lowered");
        }
        WeightFolding.Result w = folding.fold(conv.input(1),
                group ? WeightFolding.Layout.GROUP_CONVOLUTION : WeightFolding.Layout.CONVOLUTION);
        if (in == null) {
            return new Result(null, "its input is not quantized (no FakeQuantize in front of it)"
                    + (w.weights() == null ? " and its " + w.reason() : ""));
        }
        if (w.weights() == null) {
            return new Result(null, w.reason());
        }
        int groups = group ? wShape[0] : 1;
        int[] kernel = group ? new int[] {wShape[3], wShape[4]} : new int[] {wShape[2], wShape[3]};
        int[] strides = conv.attributes().ints("strides");
        int[] dilations = conv.attributes().ints("dilations", new int[] {1, 1});
        int[] pads = padsBegin(conv, inShape, outShape, kernel, strides, dilations);
        QuantizedLinear.Kind kind = group ? QuantizedLinear.Kind.GROUP_CONVOLUTION : QuantizedLinear.Kind.CONVOLUTION;
        QuantizedLinear step = epilogue.lower(conv, 1, w.weights().rows(), f -> QuantizedLinear.build(kind, conv,
                f.fused(), conv.input(0), f.output(), inShape, outShape, groups, kernel, strides, dilations, pads, false,
                w.weights(), in, f.bias(), f.relu(), f.preluSlope(), f.postScale(), f.postShift(), f.requant()));
        if (step.borderResidual() > maxBorderResidual && !carriesBorderTerm.test(step)) {
            return new Result(null, String.format(Locale.ROOT, "its input's zero point lies %.3g of a level from the"
                    + " integer level the int8 kernels pad with; its kernel (Int8Convolution) omits the border term that"
                    + " would correct the outputs touching the padding, a rounding-size approximation only up to %.3g of a level",
                    step.borderResidual(), maxBorderResidual));
        }
        return new Result(step, null);
    }

    /** Begin pads, recomputed from auto_pad when it is not explicit (the stored pads are then meaningless). */
    static int[] padsBegin(Node conv, int[] in, int[] out, int[] kernel, int[] strides, int[] dilations) {
        String autoPad = conv.attributes().string("auto_pad", "explicit").toLowerCase(java.util.Locale.ROOT);
        int[] pb = new int[2];
        for (int ax = 0; ax < 2; ax++) {
            int effective = (kernel[ax] - 1) * dilations[ax] + 1;
            int total = Math.max(0, (out[2 + ax] - 1) * strides[ax] + effective - in[2 + ax]);
            pb[ax] = switch (autoPad) {
                case "same_upper" -> total / 2;
                case "same_lower" -> total - total / 2;
                case "valid" -> 0;
                default -> conv.attributes().ints("pads_begin", 2, 0)[ax];
            };
        }
        if (Arrays.stream(pb).anyMatch(p -> p < 0)) {
            throw conv.attributes().error("negative pads_begin " + Arrays.toString(pb));
        }
        return pb;
    }
}
