package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import dev.lowbit.runtime.fp32.TiledLayout;

/**
 * Convolution and GroupConvolution (2-D, NCHW). In a float model, a {@code TiledConvolution} (f32 FMA, register
 * tiles or, for 3x3 stride-1 layers of >= 32 channels, Winograd F(2x2, 3x3); weights packed once at class
 * initialization) held in a static field and run with the class's float scratch (plus a block per thread for
 * Winograd) and the instance's thread pool; in a graph that still runs FakeQuantize
 * ({@link StepContext#exactFp32()}), one call of the oracle-identical {@code Convolution.conv2d}, which accumulates
 * in double. Stateless.
 */
final class ConvEmitter implements LayerEmitter {
    private static final ClassName KERNEL = ClassName.get("dev.lowbit.runtime.fp32", "Convolution");
    private static final ClassName TILED = ClassName.get("dev.lowbit.runtime.fp32", "TiledConvolution");

    @Override
    public void check(Node n, Graph g) {
        Dims.requireRank(n, "the input", g.port(n.input(0)).shape(), 4);
        int[] w = g.port(n.input(1)).shape();
        Dims.requireRank(n, "the weights", w, n.is("GroupConvolution") ? 5 : 4);
    }

    @Override
    public CodeBlock emit(StepContext c) {
        return emit(c, null);
    }

    /** The layer, with {@code chain}'s layers in the convolution's epilogue (null: none; fast f32 only). */
    CodeBlock emit(StepContext c, ConvEpilogues.Chain chain) {
        Node n = c.node();
        int[] x = c.inShape(0);
        int[] w = c.inShape(1);
        int[] y = c.outShape(0);
        boolean group = n.is("GroupConvolution");
        int groups = group ? w[0] : 1;
        int kh = w[w.length - 2];
        int kw = w[w.length - 1];
        int icg = w[w.length - 3];
        if (icg * groups != x[1] || (group ? w[0] * w[1] : w[0]) != y[1]) {
            throw new IrException(n, "weights " + java.util.Arrays.toString(w) + " do not fit input "
                    + java.util.Arrays.toString(x) + " and output " + java.util.Arrays.toString(y));
        }
        int[] s = Spatial.ints2(n, "strides", 1);
        int[] d = Spatial.ints2(n, "dilations", 1);
        int[] p = Spatial.padsBegin(n, x, y, new int[] {kh, kw}, s, d);
        long macs = (long) Dims.size(y) * icg * kh * kw;
        if (!c.exactFp32()) {
            CodeBlock epilogue = chain == null ? CodeBlock.of("") : CodeBlock.of(", $L", chain.construction(c, y[1]));
            CodeBlock layer = c.staticField(TILED, "conv", CodeBlock.of(
                    "new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L$L)", TILED, c.in(1),
                    x[0], x[1], x[2], x[3], y[1], y[2], y[3], kh, kw, s[0], s[1], p[0], p[1], d[0], d[1], groups,
                    epilogue));
            boolean winograd = TiledLayout.winograd(x[1], y[1], y[2], y[3], kh, kw, s[0], s[1], d[0], d[1], groups);
            boolean smallPlane = TiledLayout.smallPlane(groups, y[2], y[3], y[1], kh, kw);
            int tile = winograd ? TiledLayout.winogradGeometry(x[1], x[2], x[3], y[1], y[2], y[3], p[0], p[1])
                    .outputTile() : 0;
            String winogradName = "Winograd F(" + tile + "x" + tile + ", 3x3)";
            String tiles = winograd ? "f32 " + winogradName
                    : smallPlane ? "f32 tiles along output channels (small plane)" : "f32 tiles";
            String steps = chain == null ? "" : " + " + String.join(", ", chain.steps().stream()
                    .map(ConvEpilogues.Operation::kind).toList());
            c.report((winograd ? "TiledConvolution.run (" + winogradName + ")"
                    : smallPlane ? "TiledConvolution.run (small plane)" : "TiledConvolution.run") + steps, macs);
            int scratch = TiledLayout.scratchFloats(x[1], x[2], x[3], y[1], y[2], y[3], kh, kw, s[0], s[1], p[0], p[1],
                    d[0], d[1], groups);
            int perWorker = TiledLayout.workerScratchFloats(x[1], x[2], x[3], y[1], y[2], y[3], kh, kw, s[0], s[1],
                    p[0], p[1], d[0], d[1], groups);
            CodeBlock.Builder body = CodeBlock.builder()
                    .add("// $L x $L kernel, stride $L x $L, pad $L x $L, dilation $L x $L, $L group(s), $L\n", kh, kw,
                            s[0], s[1], p[0], p[1], d[0], d[1], groups, tiles);
            if (chain != null) {
                body.add("// epilogue, in place in this output: $L\n", chain.describe());
            }
            return body
                    .addStatement("$L.run($L, $L, $L, $L)", layer, c.in(0), c.out(0),
                            c.floatScratch(scratch - perWorker, perWorker), Int8Emitters.parallel())
                    .build();
        }
        c.report("Convolution.conv2d", macs);
        return CodeBlock.builder()
                .add("// $L x $L kernel, stride $L x $L, pad $L x $L, dilation $L x $L, $L group(s)\n", kh, kw, s[0], s[1],
                        p[0], p[1], d[0], d[1], groups)
                .addStatement("$T.conv2d($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)",
                        KERNEL, c.in(0), c.in(1), c.out(0), c.acc(4 * y[3]), x[0], x[1], x[2], x[3], y[1], y[2], y[3],
                        kh, kw, s[0], s[1], p[0], p[1], d[0], d[1], groups)
                .build();
    }
}
