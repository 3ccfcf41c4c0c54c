package dev.lowbit.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.IrException;
import dev.lowbit.runtime.int8.PoolGeometry;
import dev.lowbit.transform.lpt.PreservedStep;
import java.util.ArrayList;
import java.util.List;

/**
 * A precision-preserving op on u8 levels (NCHW, or NHWC where {@link LevelLayouts} chose it): MaxPool, Concat,
 * ReLU (the identity on a non-negative grid, so a copy). Reshape, Squeeze and Unsqueeze never get here: the plan
 * makes them views, and their levels share the input's byte array. Stateless apart from its step; one per layer.
 */
final class PreservedEmitter implements LayerEmitter {
    private static final ClassName POOL = ClassName.get("dev.lowbit.runtime.int8", "Int8MaxPool");
    private final Int8Emitters int8;
    private final PreservedStep step;
    private final LayerEmitter fp32;

    PreservedEmitter(Int8Emitters int8, PreservedStep step, LayerEmitter fp32) {
        this.int8 = int8;
        this.step = step;
        this.fp32 = fp32;
    }

    @Override
    public void check(Node node, Graph graph) {
        fp32.check(node, graph);
        if (!(node.is("MaxPool") || node.is("Concat") || node.is("ReLU"))) {
            throw new IrException(node, "int8 code generation runs MaxPool, Concat and ReLU on levels; "
                    + node.type() + " on levels is not implemented");
        }
    }

    /**
     * The geometry of the NHWC max pooling kernel for a MaxPool from {@code x} to {@code y}, or null when it cannot
     * run it (dilation, or a window entirely in the padding, where the NCHW pass yields level 0).
     */
    static PoolGeometry poolGeometry(Node n, int[] x, int[] y) {
        if (x.length != 4 || y.length != 4) {
            return null;
        }
        if (dilated(n)) {
            return null;
        }
        int[] k = Spatial.ints2(n, "kernel", 1);
        int[] s = Spatial.ints2(n, "strides", 1);
        int[] p = Spatial.padsBegin(n, x, y, k, s, new int[] {1, 1});
        try {
            return new PoolGeometry(x[2], x[3], x[1], k[0], k[1], s[0], s[1], p[0], p[1], 1, 1, y[2], y[3]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A MaxPool with a dilation other than 1 (neither level pass implements it). */
    private static boolean dilated(Node n) {
        double[] d = n.attributes().has("dilations") ? n.attributes().doubles("dilations") : new double[] {1, 1};
        return java.util.Arrays.stream(d).anyMatch(v -> v != 1);
    }

    /**
     * The Concat's input arrays as one instance field, made once in the constructor (after the fields it lists): a
     * {@code new byte[][]} in the step allocated on every inference.
     */
    private static CodeBlock inputArrays(StepContext c, List<CodeBlock> inputs) {
        return c.instanceField(ArrayTypeName.of(ArrayTypeName.of(TypeName.BYTE)), "inputs",
                CodeBlock.of("new byte[][] {$L}", CodeBlock.join(inputs, ", ")));
    }

    @Override
    public CodeBlock emit(StepContext c) {
        Node n = c.node();
        CodeBlock out = int8.bytes(c, n.out(0));
        CodeBlock.Builder b = CodeBlock.builder();
        boolean last = int8.channelsLast(n.out(0));
        if (n.is("MaxPool") && last) {
            int[] x = c.inShape(0);
            int[] y = c.outShape(0);
            PoolGeometry g = poolGeometry(n, x, y);
            b.beginControlFlow("for (int n = 0; n < $L; n++)", x[0])
                    .addStatement("$T.run($L, false, $L, n * $L, $L, n * $L, $L)", POOL, c.staticField(
                            ClassName.get(PoolGeometry.class), "pool", CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)",
                                    PoolGeometry.class, g.inH(), g.inW(), g.channels(), g.kernelH(), g.kernelW(), g.strideH(),
                                    g.strideW(), g.padTop(), g.padLeft(), g.dilationH(), g.dilationW(), g.outH(), g.outW())),
                            int8.bytes(c, n.input(0)), g.inputLength(), out, g.outputLength(), Int8Emitters.parallel())
                    .endControlFlow();
            c.report("Int8MaxPool (u8 levels, NHWC)", 0);
        } else if (n.is("MaxPool")) {
            int[] x = c.inShape(0);
            int[] y = c.outShape(0);
            int[] k = Spatial.ints2(n, "kernel", 1);
            int[] s = Spatial.ints2(n, "strides", 1);
            if (dilated(n)) {
                throw new IrException(n, "dilated MaxPool on levels is not implemented");
            }
            int[] p = Spatial.padsBegin(n, x, y, k, s, new int[] {1, 1});
            b.addStatement("$T.maxPool($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", Int8Emitters.LEVELS,
                    int8.bytes(c, n.input(0)), out, x[0] * x[1], x[2], x[3], y[2], y[3], k[0], k[1], s[0], s[1], p[0],
                    p[1], Int8Emitters.parallel());
            c.report("LevelTensors.maxPool (u8 levels)", 0);
        } else if (n.is("Concat") && last) {
            int[] y = c.outShape(0);
            List<CodeBlock> ins = new ArrayList<>();
            int[] channels = new int[step.inputs().size()];
            for (int i = 0; i < channels.length; i++) {
                ins.add(int8.bytes(c, n.input(i)));
                channels[i] = c.inShape(i)[1];
            }
            b.addStatement("$T.concat($L, $L, $L, $L)", Int8Emitters.CHANNELS_LAST, inputArrays(c, ins),
                    c.ints("channels", channels), y[0] * y[2] * y[3], out);
            c.report("ChannelsLastLevels.concat (u8 levels, NHWC)", 0);
        } else if (n.is("Concat")) {
            int[] y = c.outShape(0);
            int axis = n.attributes().intValue("axis");
            if (axis < 0) {
                axis += y.length;
            }
            int outer = Dims.product(y, 0, axis);
            int inner = Dims.product(y, axis + 1, y.length);
            List<CodeBlock> ins = new ArrayList<>();
            int[] chunks = new int[step.inputs().size()];
            for (int i = 0; i < chunks.length; i++) {
                ValueRef v = n.input(i);
                ins.add(int8.bytes(c, v));
                chunks[i] = c.inShape(i)[axis] * inner;
            }
            b.addStatement("$T.concat($L, $L, $L, $L)", Int8Emitters.LEVELS, inputArrays(c, ins),
                    c.ints("chunks", chunks), outer, out);
            c.report("LevelTensors.concat (u8 levels)", 0);
        } else {
            b.addStatement("$T.arraycopy($L, 0, $L, 0, $L)", System.class, int8.bytes(c, n.input(0)), out,
                    Dims.size(c.outShape(0)));
            c.report("copy (ReLU on a non-negative grid is the identity on levels)", 0);
        }
        b.add(int8.dequantizeIfRead(c, n.out(0), c.out(0)));
        c.precision("u8");
        return b.build();
    }
}
