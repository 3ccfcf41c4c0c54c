package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Locale;

/** ConvolutionBackpropData (2-D transposed convolution, explicit pads) as one call of {@code Convolution.deconv2d}. */
final class DeconvEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "Convolution");

    @Override
    public void check(Node n, Graph g) {
        Dims.requireRank(n, "the input", g.port(n.input(0)).shape(), 4);
        Dims.requireRank(n, "the weights", g.port(n.input(1)).shape(), 4);
        String autoPad = n.attributes().string("auto_pad", "explicit").toLowerCase(Locale.ROOT);
        if (!autoPad.equals("explicit") && !autoPad.equals("notset")) {
            throw new IrException(n, "auto_pad='" + autoPad + "' is not supported for ConvolutionBackpropData yet; "
                    + "only explicit pads");
        }
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        int[] x = c.inShape(0);
        int[] w = c.inShape(1);
        int[] y = c.outShape(0);
        int[] s = Spatial.ints2(n, "strides", 1);
        int[] d = Spatial.ints2(n, "dilations", 1);
        int[] p = Spatial.ints2(n, "pads_begin", 0);
        c.report("Convolution.deconv2d", (long) Dims.size(x) * w[1] * w[2] * w[3]);
        return CodeBlock.builder()
                .addStatement("$T.deconv2d($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)",
                        KERNEL, c.in(0), c.in(1), c.out(0), c.acc(y[2] * y[3]), x[0], x[1], x[2], x[3], y[1], y[2],
                        y[3], w[2], w[3], s[0], s[1], p[0], p[1], d[0], d[1])
                .build();
    }
}
