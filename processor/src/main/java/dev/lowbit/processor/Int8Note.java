package dev.lowbit.processor;

import dev.lowbit.codegen.Int8Emitters;
import dev.lowbit.codegen.LayerReport;
import dev.lowbit.graph.Node;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The int8 part of a model's build NOTE: the share of Convolution/GroupConvolution/MatMul MACs the generated code
 * runs in int8 kernels, each such layer left in fp32 with the reason, the approximations taken (the border term
 * of fractional zero points, dropped weight zero points) and the lowering's own notes. Stateless.
 */
final class Int8Note {
    private Int8Note() {}

    static String of(Int8Emitters int8, List<LayerReport> layers) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "lowbit: int8 path: %.2f%% of Convolution/GroupConvolution/MatMul MACs "
                + "in int8 kernels (%d layers u8; %d of %d level tensors stored NHWC, the rest NCHW)",
                100 * int8.int8MacFraction(), layers.stream().filter(l -> l.precision().equals("u8")).count(),
                int8.channelsLastTensors(), int8.levelTensorCount()));
        for (Map.Entry<Node, String> e : int8.fp32Layers().entrySet()) {
            sb.append("\n  fp32: ").append(e.getKey().describe()).append(": ").append(e.getValue());
        }
        long border = layers.stream().filter(l -> l.kernel().contains(Int8Emitters.BORDER_TERM_OMITTED)
                && !l.kernel().startsWith("epilogue of")).count();
        if (border > 0) {
            sb.append("\n  approximation: ").append(border).append(" int8 layer(s) pad with the integer zero point and "
                    + "omit the border term of the IR's fractional zero point (f16-rounded ranges); the kernel names "
                    + "them in the JSON report (only the int8 kernel Int8Convolution omits it; the FMA and depthwise kernels carry it)");
        }
        long rounded = layers.stream().filter(l -> l.kernel().contains(Int8Emitters.ROUNDED_SUMS)
                && !l.kernel().startsWith("epilogue of")).count();
        if (rounded > 0) {
            sb.append("\n  approximation: ").append(rounded).append(" int8 layer(s) sum in f32 with rounding (Winograd "
                    + "F(3x3, 3x3) and F(4x4, 3x3); F(2x2, 3x3) in one run of input channels where exact sums would need several; 1x1 "
                    + "layers over a Concat of differently quantized branches in one pass with each branch's weights "
                    + "scaled to one grid; direct tiles whose padding holds a fractional zero point's border level), "
                    + "not in exact integers (a level flips by one where a value lies within a "
                    + "fraction of a unit of a rounding boundary); @CompiledModel(exactInt8 = true) keeps every sum exact");
        }
        for (String n : int8.lowered().notes()) {
            sb.append("\n  lpt: ").append(n);
        }
        return sb.toString();
    }
}
