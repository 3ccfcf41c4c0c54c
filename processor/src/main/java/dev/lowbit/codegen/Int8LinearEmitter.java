package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.runtime.fp32.TiledLayout;
import dev.lowbit.runtime.fp32.WinogradGeometry;
import dev.lowbit.runtime.int8.ConvGeometry;
import dev.lowbit.runtime.int8.Int8ConvLayer;
import dev.lowbit.runtime.int8.Int8DepthwiseLayer;
import dev.lowbit.runtime.int8.Int8FullyConnected;
import dev.lowbit.runtime.int8.FmaLayout;
import dev.lowbit.runtime.int8.PatchLayout;
import dev.lowbit.runtime.int8.QuantizedInput;
import dev.lowbit.runtime.int8.WinogradLayout;
import dev.lowbit.runtime.pack.DepthwiseWeightLayout;
import dev.lowbit.runtime.pack.Int8WeightLayout;
import dev.lowbit.transform.lpt.QuantGrid;
import dev.lowbit.transform.lpt.QuantizedLinear;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One int8 Convolution / GroupConvolution (depthwise: {@code Int8DepthwiseConvolution}) / MatMul
 * ({@code Int8FullyConnected}) with its bias, ReLU and next FakeQuantize fused into the kernel's epilogue
 * ({@code Requantization}), emitted at the layer's last fused node. The weights are packed at build time by the
 * runtime's own layouts ({@link Int8WeightLayout}, {@link DepthwiseWeightLayout}) and stored with their sums and
 * the epilogue constants in the weights blob; the layer objects are static finals of the generated class. The
 * kernels read and write NHWC: a level tensor stored NCHW ({@link LevelLayouts}) is transposed on the way in or
 * out, and the fp32 output of a layer that feeds fp32 layers is transposed back to NCHW.
 *
 * <p>Arithmetic: the {@link QuantizedLinear} contract with one input segment and its integer zero point; the one
 * difference is the border term of a fractional zero point (the kernels pad with the integer zero point), reported
 * per layer by the build as an approximation. Stateless apart from its step; one per layer.
 */
final class Int8LinearEmitter implements LayerEmitter {
    private static final String RT = "dev.lowbit.runtime.int8";
    private static final ClassName GEOMETRY = ClassName.get(RT, "ConvGeometry");
    private static final ClassName CONV_LAYER = ClassName.get(RT, "Int8ConvLayer");
    private static final ClassName DW_LAYER = ClassName.get(RT, "Int8DepthwiseLayer");
    private static final ClassName INPUT = ClassName.get(RT, "QuantizedInput");
    private static final ClassName REQUANT = ClassName.get(RT, "Requantization");
    private static final ClassName CONV = ClassName.get(RT, "Int8Convolution");
    private static final ClassName DW = ClassName.get(RT, "Int8DepthwiseConvolution");
    private static final ClassName FC = ClassName.get(RT, "Int8FullyConnected");
    private static final ClassName GATHER = ClassName.get(RT, "PatchGather");
    private static final ClassName FMA = ClassName.get(RT, "FmaConvolution");

    private final Int8Emitters int8;
    private final QuantizedLinear l;
    private final LayerEmitter fp32;

    Int8LinearEmitter(Int8Emitters int8, QuantizedLinear l, LayerEmitter fp32) {
        this.int8 = int8;
        this.l = l;
        this.fp32 = fp32;
    }

    /** Why the int8 kernels cannot run this lowered layer exactly as lowered, or null when they can. */
    static String unsupportedReason(QuantizedLinear l) {
        boolean segmented = segmented(l);
        for (float[] m : l.multiplier()) {
            if (m.length != 1 && !(segmented && m.length == l.segments().size())) {
                return "its input channels carry " + m.length + " different grids (a Concat of differently quantized "
                        + "branches) and it is not a plain Convolution, whose runs of channels are accumulated separately";
            }
        }
        if (segmented && l.preluSlope() != null) {
            return "its runs of input channels are summed by LevelTensors.combineSegments/combinePlanes, which have no PReLU";
        }
        if (segmented && l.hasPostAffine()) {
            return "its runs of input channels are summed by LevelTensors.combineSegments/combinePlanes, which have no "
                    + "Multiply or Add after the activation";
        }
        if (!segmented && l.segments().stream().mapToInt(QuantizedLinear.InputSegment::padLevel).distinct().count() != 1) {
            return "its input channels have different zero points; the kernels take one per tensor";
        }
        QuantGrid r = l.requant();
        if (r != null) {
            for (int c = 0; c < r.channels(); c++) {
                if (!(r.inHigh()[c] > r.inLow()[c])) {
                    return "its output FakeQuantize has an empty or inverted input range";
                }
            }
        }
        if (l.kind() == QuantizedLinear.Kind.MATMUL) {
            if (l.transposeA() || l.inputShape().length != 2) {
                return "only a 2-D MatMul input without transpose_a maps to the fully connected kernel";
            }
            return null;
        }
        if (l.inputShape().length != 4 || l.kernel().length != 2) {
            return "only 2-D convolutions (4-D tensors) have int8 kernels";
        }
        try {
            geometry(l);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return null;
    }

    /** The kernel the layer calls, for the report. */
    static String kernelName(QuantizedLinear l, boolean exactSums) {
        String border = !l.needsBorderTerm() ? ""
                : carriesBorderTerm(l, exactSums) ? ", " + Int8Emitters.BORDER_TERM_CARRIED
                : ", " + Int8Emitters.BORDER_TERM_OMITTED;
        if (mergesRuns(l, exactSums)) {
            return "FmaConvolution (int8 dot products on f32 FMA, " + l.segments().size() + " runs of input channels "
                    + "in one pass, each run's weights scaled to one grid, " + Int8Emitters.ROUNDED_SUMS + ") (u8 x i8 -> "
                    + (l.requant() == null ? "f32)" : "u8)") + border;
        }
        if (segmented(l)) {
            boolean fma = onFma(l, exactSums);
            boolean rounded = fma && l.segments().stream().anyMatch(seg -> roundsSums(l, seg, exactSums));
            return (fma ? "FmaConvolution x" : "Int8Convolution x") + l.segments().size()
                    + " runs of input channels (u8 x i8, " + (rounded ? "Winograd, " + Int8Emitters.ROUNDED_SUMS
                            : "exact sums") + ") + LevelTensors."
                    + (fma ? "combinePlanes" : "combineSegments") + border;
        }
        String kernel = l.kind() == QuantizedLinear.Kind.MATMUL ? "Int8FullyConnected"
                : geometry(l).isDepthwise() ? "Int8DepthwiseConvolution"
                : onFma(l, exactSums) ? "FmaConvolution (" + fmaNote(geometry(l), WinogradLayout.form(geometry(l),
                        l.weights().values(), l.segments().get(0).padLevel(), exactSums), l.needsBorderTerm(), exactSums)
                        + ")"
                : gathers(l, exactSums) ? "PatchGather + Int8Convolution 1x1 over " + PatchLayout.patchChannels(geometry(l)) + "-value patches"
                : "Int8Convolution";
        return kernel + " (u8 x i8 -> " + (l.requant() == null ? "f32)" : "u8)") + border;
    }

    /**
     * Whether a run of input channels of a layer on FMA sums with rounding: Winograd with rounded sums, or the direct
     * tiles padded with the border level ({@link #padsWithBorderLevel}).
     */
    private static boolean roundsSums(QuantizedLinear l, QuantizedLinear.InputSegment seg, boolean exactSums) {
        ConvGeometry g = segmentGeometry(l, seg);
        WinogradLayout.Form form = WinogradLayout.form(g, segmentWeights(l, seg), seg.padLevel(), exactSums);
        return form != null ? form.roundedSums() : padsWithBorderLevel(g, form, l.needsBorderTerm(), exactSums);
    }

    /**
     * Whether an FMA layer (or run of input channels) of shape {@code g} and Winograd form {@code winograd} (null:
     * not Winograd) runs on the direct tiles with its border level in their padding, so with rounded sums
     * ({@link FmaLayout#padsWithBorderLevel}; a pointwise layer has no padding).
     */
    private static boolean padsWithBorderLevel(ConvGeometry g, WinogradLayout.Form winograd, boolean needsBorderTerm,
            boolean exactSums) {
        return winograd == null && needsBorderTerm && !FmaLayout.pointwiseShape(g)
                && FmaLayout.padsWithBorderLevel(g, exactSums);
    }

    /** A plain convolution run as a 1x1 convolution over gathered patches ({@link PatchLayout#worthGathering}). */
    static boolean gathers(QuantizedLinear l, boolean exactSums) {
        return l.kind() == QuantizedLinear.Kind.CONVOLUTION && !segmented(l) && !onFma(l, exactSums)
                && PatchLayout.worthGathering(geometry(l));
    }

    /**
     * A plain one-group convolution whose sums f32 holds exactly, run by {@code FmaConvolution}
     * ({@link FmaLayout#takes}); it reads and writes NCHW levels.
     */
    static boolean onFma(QuantizedLinear l, boolean exactSums) {
        if (l.kind() != QuantizedLinear.Kind.CONVOLUTION) {
            return false;
        }
        if (!segmented(l)) {
            return FmaLayout.takes(geometry(l), l.weights().values(), l.segments().get(0).padLevel(), exactSums,
                    l.needsBorderTerm());
        }
        for (QuantizedLinear.InputSegment seg : l.segments()) {
            if (!FmaLayout.takes(segmentGeometry(l, seg), segmentWeights(l, seg), seg.padLevel(), exactSums,
                    l.needsBorderTerm())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the generated kernels give the layer the border term of its fractional zero point: it needs one
     * ({@link QuantizedLinear#needsBorderTerm}) and runs on {@code Int8DepthwiseConvolution}, which adds it to the
     * dot products of its border pixels, or on {@code FmaConvolution}, whose Winograd forms with rounded sums pad
     * their centred input with {@code z - p} ({@link #borderLevel}) and whose other paths add the term to the exact
     * sums before the epilogue. Not the int8 kernel ({@code Int8Convolution}), which pads with the integer level p;
     * not merged 1x1 runs, which have no padding.
     */
    static boolean carriesBorderTerm(QuantizedLinear l, boolean exactSums) {
        return l.needsBorderTerm() && (depthwise(l) || onFma(l, exactSums) && !mergesRuns(l, exactSums));
    }

    /** A depthwise layer, run by {@code Int8DepthwiseConvolution}. */
    private static boolean depthwise(QuantizedLinear l) {
        return l.kind() != QuantizedLinear.Kind.MATMUL && !segmented(l) && geometry(l).isDepthwise();
    }

    /**
     * The border term's level of a run of input channels' kernel, as a literal: {@code z - p} when the layer
     * {@link #carriesBorderTerm} (decided once per layer by the caller), else 0.
     */
    private static String borderLevel(QuantizedLinear.InputSegment seg, boolean carries) {
        return floatLiteral(carries ? (float) (seg.zeroPoint() - seg.padLevel()) : 0f);
    }

    /** A float as a Java literal. */
    private static String floatLiteral(float v) {
        return Float.toString(v) + "f";
    }

    /** The convolution over one run of input channels. */
    private static ConvGeometry segmentGeometry(QuantizedLinear l, QuantizedLinear.InputSegment seg) {
        ConvGeometry full = geometry(l);
        return new ConvGeometry(full.inH(), full.inW(), seg.to() - seg.from(), full.outChannels(), 1, full.kernelH(),
                full.kernelW(), full.strideH(), full.strideW(), full.padTop(), full.padLeft(), full.padBottom(),
                full.padRight(), full.dilationH(), full.dilationW());
    }

    /** The weights of one run of input channels, {@code [oc][ch][kh][kw]}. */
    private static byte[] segmentWeights(QuantizedLinear l, QuantizedLinear.InputSegment seg) {
        int taps = l.kernel()[0] * l.kernel()[1], k = l.weights().rowLength(), rows = l.outputChannels();
        int ch = seg.to() - seg.from();
        byte[] w = new byte[rows * ch * taps];
        for (int oc = 0; oc < rows; oc++) {
            System.arraycopy(l.weights().values(), oc * k + seg.from() * taps, w, oc * ch * taps, ch * taps);
        }
        return w;
    }

    /** A plain Convolution whose input channels fall into several runs with their own grids. */
    static boolean segmented(QuantizedLinear l) {
        return l.kind() == QuantizedLinear.Kind.CONVOLUTION && l.groups() == 1 && l.segments().size() > 1;
    }

    /**
     * A segmented 1x1 layer run in one pass with each run's weights scaled to one grid ({@code
     * FmaConvolution.pointwiseRuns}): rounded sums, so only without {@code exactInt8}. Why: face-detection's nine
     * squeeze layers after a Concat of two grids took 869 us as two exact passes and a combine against 711-756 for
     * the f32 model's one pass (docs/performance.md).
     */
    static boolean mergesRuns(QuantizedLinear l, boolean exactSums) {
        return !exactSums && segmented(l) && FmaLayout.pointwiseShape(geometry(l));
    }

    static ConvGeometry geometry(QuantizedLinear l) {
        int[] x = l.inputShape(), y = l.outputShape();
        int[] k = l.kernel(), s = l.strides(), d = l.dilations(), p = l.padsBegin();
        int padBottom = Math.max(0, (y[2] - 1) * s[0] + d[0] * (k[0] - 1) + 1 - x[2] - p[0]);
        int padRight = Math.max(0, (y[3] - 1) * s[1] + d[1] * (k[1] - 1) + 1 - x[3] - p[1]);
        ConvGeometry g = new ConvGeometry(x[2], x[3], x[1], y[1], l.groups(), k[0], k[1], s[0], s[1], p[0], p[1],
                padBottom, padRight, d[0], d[1]);
        if (g.outH() != y[2] || g.outW() != y[3]) {
            throw new IllegalArgumentException("output " + y[2] + "x" + y[3] + " does not follow from " + g);
        }
        return g;
    }

    @Override
    public void check(Node node, Graph graph) {
        fp32.check(node, graph);
    }

    @Override
    public CodeBlock emit(StepContext c) {
        if (segmented(l)) {
            return mergesRuns(l, int8.exactSums()) ? emitMergedRuns(c)
                    : onFma(l, int8.exactSums()) ? emitSegmentedFma(c) : emitSegmented(c);
        }
        if (onFma(l, int8.exactSums())) {
            return emitFma(c);
        }
        int zero = l.segments().get(0).padLevel();
        boolean depthwise = false;
        ConvGeometry g;
        byte[] packed;
        int[] sums;
        int scratchInts;
        if (l.kind() == QuantizedLinear.Kind.MATMUL) {
            g = Int8FullyConnected.geometry(l.inputShape()[0], l.weights().rowLength(), l.outputChannels());
        } else {
            g = geometry(l);
            depthwise = g.isDepthwise();
        }
        boolean patches = gathers(l, int8.exactSums());
        // a layer with few input channels runs as a 1x1 convolution over gathered patches (bit-identical, PatchGather)
        ConvGeometry kernelGeometry = patches ? PatchLayout.patchGeometry(g) : g;
        if (depthwise) {
            Int8DepthwiseLayer layer = Int8DepthwiseLayer.pack(g, QuantizedInput.u8(zero), l.weights().values());
            DepthwiseWeightLayout layout = layer.layout();
            packed = layout.pack(l.weights().values());
            sums = layout.weightSums(l.weights().values());
            scratchInts = layer.scratchInts();
        } else {
            byte[] w = patches ? PatchLayout.patchWeights(g, l.weights().values()) : l.weights().values();
            Int8ConvLayer layer = Int8ConvLayer.pack(kernelGeometry, QuantizedInput.u8(zero), w);
            Int8WeightLayout layout = layer.layout();
            packed = layout.pack(w);
            sums = layout.weightSums(w);
            scratchInts = layer.scratchInts();
        }
        c.addWeightBytes(packed.length + 4L * sums.length);
        float[] packedAsFloats = new float[packed.length];
        for (int i = 0; i < packed.length; i++) {
            packedAsFloats[i] = packed[i];
        }
        float[] sumsAsFloats = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            sumsAsFloats[i] = sums[i];
        }
        CodeBlock geometry = geometryLiteral(kernelGeometry);
        CodeBlock layer = c.staticField(depthwise ? DW_LAYER : CONV_LAYER, "int8", CodeBlock.of(
                "new $T($L, $T.u8($L), $T.bytes($L), $T.ints($L)$L)", depthwise ? DW_LAYER : CONV_LAYER, geometry, INPUT,
                zero, Int8Emitters.LEVELS, c.derived(Int8Emitters.floats(packedAsFloats)), Int8Emitters.LEVELS,
                c.derived(Int8Emitters.floats(sumsAsFloats)),
                depthwise ? ", " + borderLevel(l.segments().get(0), carriesBorderTerm(l, int8.exactSums())) : ""));
        QuantGrid r = l.requant();
        CodeBlock epi = c.staticField(REQUANT, "epilogue", epilogue(c));

        int batch = l.kind() == QuantizedLinear.Kind.MATMUL ? 1 : l.inputShape()[0];
        int inLen = g.inputLength(), outLen = g.outputLength();
        CodeBlock in = int8.bytes(c, l.input());
        CodeBlock scratch = int8.scratch(c, "ints", scratchInts);
        ClassName kernel = l.kind() == QuantizedLinear.Kind.MATMUL ? FC : depthwise ? DW : CONV;
        String run = r == null ? "runFloat" : "runQuantized";
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// int8 $L $L: $L\n", l.kind(), Arrays.toString(l.inputShape()) + " -> " + Arrays.toString(l.outputShape()),
                g);
        b.add("// $L\n", epilogueNote(l));
        CodeBlock src = in;
        boolean spatial = l.kind() != QuantizedLinear.Kind.MATMUL && g.inH() * g.inW() > 1;
        if (spatial && !int8.channelsLast(l.input())) {
            src = int8.scratch(c, "bytesIn", batch * inLen);
            b.addStatement("$T.toNhwc($L, $L, $L, $L, $L, $L)", Int8Emitters.LEVELS, in, src, batch, g.inChannels(),
                    g.inH() * g.inW(), Int8Emitters.parallel());
        }
        CodeBlock image = src;
        int imageLen = inLen;
        CodeBlock gather = CodeBlock.of("");
        if (patches) {
            // the kernel call below reads patch image 0; the gather fills it for image n first
            src = int8.scratch(c, "patches", kernelGeometry.inputLength());
            gather = CodeBlock.builder().addStatement("$T.gather($L, (byte) $L, $L, n * $L, $L, $L)", GATHER,
                    c.staticField(GEOMETRY, "gathered", geometryLiteral(g)), zero, image, imageLen, src,
                    Int8Emitters.parallel()).build();
            inLen = 0;
        }
        boolean outSpatial = l.kind() != QuantizedLinear.Kind.MATMUL && g.outH() * g.outW() > 1;
        CodeBlock dst;
        if (r != null) {
            CodeBlock q = int8.bytes(c, l.output());
            boolean transpose = outSpatial && !int8.channelsLast(l.output());
            dst = transpose ? int8.scratch(c, "bytesOut", batch * outLen) : q;
            b.beginControlFlow("for (int n = 0; n < $L; n++)", batch)
                    .add(gather)
                    .addStatement("$T.$L($L, $L, $L, n * $L, $L, n * $L, $L, $L)", kernel, run, layer, epi, src, inLen, dst,
                            outLen, scratch, Int8Emitters.parallel())
                    .endControlFlow();
            if (transpose) {
                b.addStatement("$T.toNchw($L, $L, $L, $L, $L, $L)", Int8Emitters.LEVELS, dst, q, batch, g.outChannels(),
                        g.outH() * g.outW(), Int8Emitters.parallel());
            }
            b.add(int8.dequantizeIfRead(c, l.output(), c.out(0)));
        } else {
            dst = outSpatial ? int8.scratch(c, "floats", batch * outLen) : c.out(0);
            b.beginControlFlow("for (int n = 0; n < $L; n++)", batch)
                    .add(gather)
                    .addStatement("$T.$L($L, $L, $L, n * $L, $L, n * $L, $L, $L)", kernel, run, layer, epi, src, inLen, dst,
                            outLen, scratch, Int8Emitters.parallel())
                    .endControlFlow();
            if (outSpatial) {
                b.addStatement("$T.toNchw($L, $L, $L, $L, $L)", Int8Emitters.LEVELS, dst, c.out(0), batch,
                        g.outChannels(), g.outH() * g.outW());
            }
        }
        report(c);
        return b.build();
    }

    /**
     * A layer on {@code FmaConvolution}: NCHW levels centred to f32, the f32 tiled convolution with the int8
     * weights (every partial sum an exact integer of at most 2^24), then {@code Requantization}'s arithmetic
     * lane-wise, written to the output's NCHW levels or its fp32 NCHW buffer. {@link LevelLayouts} keeps the
     * layer's level tensors NCHW.
     */
    private CodeBlock emitFma(StepContext c) {
        ConvGeometry g = geometry(l);
        int zero = l.segments().get(0).padLevel();
        float[] w = Int8WeightLayout.asFloats(l.weights().values());
        c.addWeightBytes(l.weights().values().length);
        CodeBlock layer = c.staticField(FMA, "fma", CodeBlock.of("new $T($L, $L, $T.bytes($L), $L, $L)", FMA,
                geometryLiteral(g), zero, Int8Emitters.LEVELS, c.derived(Int8Emitters.floats(w)), int8.exactSums(),
                borderLevel(l.segments().get(0), carriesBorderTerm(l, int8.exactSums()))));
        CodeBlock epi = c.staticField(REQUANT, "epilogue", epilogue(c));
        CodeBlock centred = int8.scratch(c, "floatsCentred", g.inputLength());
        CodeBlock sums = int8.scratch(c, "floatsSums", g.outputLength());
        WinogradLayout.Form form = WinogradLayout.form(g, l.weights().values(), zero, int8.exactSums());
        WinogradGeometry winograd = form == null ? null : form.geometry();
        CodeBlock conv = c.floatScratch(FmaLayout.sharedScratchFloats(g, winograd), FmaLayout.workerScratchFloats(winograd));
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// int8 $L $L: $L: $L\n", l.kind(), Arrays.toString(l.inputShape()) + " -> " + Arrays.toString(l.outputShape()),
                fmaNote(g, form, l.needsBorderTerm(), int8.exactSums()), g);
        b.add("// $L\n", epilogueNote(l));
        return fmaRuns(c, b, g, layer, epi, centred, sums, conv);
    }

    /**
     * The per-image calls of an {@code FmaConvolution} layer object (NCHW levels in; levels or the fp32 output out),
     * appended to {@code b}, then the dequantized copy where fp32 layers read the levels; reports the layer.
     */
    private CodeBlock fmaRuns(StepContext c, CodeBlock.Builder b, ConvGeometry g, CodeBlock layer, CodeBlock epi,
            CodeBlock centred, CodeBlock sums, CodeBlock conv) {
        b.beginControlFlow("for (int n = 0; n < $L; n++)", l.inputShape()[0]);
        if (l.requant() != null) {
            b.addStatement("$L.run($L, n * $L, $L, $L, null, n * $L, $L, $L, $L, $L)", layer, int8.bytes(c, l.input()),
                    g.inputLength(), epi, int8.bytes(c, l.output()), g.outputLength(), centred, sums, conv,
                    Int8Emitters.parallel());
        } else {
            b.addStatement("$L.run($L, n * $L, $L, null, $L, n * $L, $L, $L, $L, $L)", layer, int8.bytes(c, l.input()),
                    g.inputLength(), epi, c.out(0), g.outputLength(), centred, sums, conv, Int8Emitters.parallel());
        }
        b.endControlFlow();
        if (l.requant() != null) {
            b.add(int8.dequantizeIfRead(c, l.output(), c.out(0)));
        }
        report(c);
        return b.build();
    }

    /**
     * What the epilogue applies, for the generated code's reader: the fused nodes in order and the output,
     * e.g. {@code epilogue: Add 'conv1', ReLU 'relu_conv1', Multiply 'bn1/mean/Fused_Mul_' -> f32}.
     */
    static String epilogueNote(QuantizedLinear l) {
        String nodes = l.fused().stream().map(n -> n.type() + " '" + n.name() + "'")
                .collect(java.util.stream.Collectors.joining(", "));
        return "epilogue: " + (nodes.isEmpty() ? "the scales only" : nodes) + (l.requant() == null ? " -> f32" : " -> u8 levels");
    }

    /** The layer's fused epilogue: fp32 output, or the next FakeQuantize's levels. */
    private CodeBlock epilogue(StepContext c) {
        float[] multiplier = new float[l.outputChannels()];
        for (int oc = 0; oc < multiplier.length; oc++) {
            multiplier[oc] = l.multiplier()[oc][0];
        }
        return epilogue(c, multiplier);
    }

    /** As above, with {@code multiplier} per output channel in place of the layer's (one grid) multiplier. */
    private CodeBlock epilogue(StepContext c, float[] multiplier) {
        QuantGrid r = l.requant();
        CodeBlock m = c.derived(Int8Emitters.floats(multiplier));
        CodeBlock bias = c.derived(Int8Emitters.floats(l.bias()));
        if (l.preluSlope() != null) {
            CodeBlock slope = c.derived(Int8Emitters.floats(l.preluSlope()));
            return r == null
                    ? CodeBlock.of("$T.toFloatPrelu($L, $L, $L)", REQUANT, m, bias, slope)
                    : CodeBlock.of("$T.toQuantizedPrelu($L, $L, $L, $L, $L, $L, false)", REQUANT, m, bias, slope,
                            c.derived(Int8Emitters.floats(r.inLow())), c.derived(Int8Emitters.floats(r.inHigh())),
                            r.levels());
        }
        if (l.hasPostAffine()) {
            return CodeBlock.of("$T.toFloat($L, $L, $L, $L, $L)", REQUANT, m, bias, l.relu(), optionalFloats(c, l.postScale()),
                    optionalFloats(c, l.postShift()));
        }
        return r == null
                ? CodeBlock.of("$T.toFloat($L, $L, $L)", REQUANT, m, bias, l.relu())
                : CodeBlock.of("$T.toQuantized($L, $L, $L, $L, $L, $L, false)", REQUANT, m, bias, l.relu(),
                        c.derived(Int8Emitters.floats(r.inLow())), c.derived(Int8Emitters.floats(r.inHigh())),
                        r.levels());
    }

    /** A derived constant for {@code values}, or {@code null} in the generated code when there are none. */
    private static CodeBlock optionalFloats(StepContext c, float[] values) {
        return values == null ? CodeBlock.of("null") : c.derived(Int8Emitters.floats(values));
    }

    /**
     * One exact dot product per run of input channels (a kernel call on that channel slice with multiplier 1 and
     * bias 0, so the f32 output is {@code (float) D_j}), combined in the {@link QuantizedLinear} order by
     * {@code LevelTensors.combineSegments}: the simulator's arithmetic, f32 operation for operation.
     */
    private CodeBlock emitSegmented(StepContext c) {
        ConvGeometry full = geometry(l);
        int segments = l.segments().size();
        int rows = l.outputChannels();
        int pixelsIn = full.inH() * full.inW(), pixelsOut = full.outH() * full.outW();
        int batch = l.inputShape()[0];
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// int8 $L in $L runs of input channels: $L\n", l.kind(), segments, full);
        CodeBlock in = int8.bytes(c, l.input());
        CodeBlock slice = int8.scratch(c, "bytesIn", pixelsIn * full.inChannels());
        CodeBlock d = int8.scratch(c, "floats", segments * pixelsOut * rows);
        List<CodeBlock> layers = new ArrayList<>();
        int maxScratch = 0;
        CodeBlock identity = identityEpilogue(c, rows);
        float[] multiplier = segmentMultipliers();
        for (int j = 0; j < segments; j++) {
            QuantizedLinear.InputSegment seg = l.segments().get(j);
            ConvGeometry g = segmentGeometry(l, seg);
            byte[] w = segmentWeights(l, seg);
            Int8ConvLayer layer = Int8ConvLayer.pack(g, QuantizedInput.u8(seg.padLevel()), w);
            maxScratch = Math.max(maxScratch, layer.scratchInts());
            byte[] packed = layer.layout().pack(w);
            int[] sums = layer.layout().weightSums(w);
            c.addWeightBytes(packed.length + 4L * sums.length);
            layers.add(c.staticField(CONV_LAYER, "int8_" + j, CodeBlock.of("new $T($L, $T.u8($L), $T.bytes($L), $T.ints($L))",
                    CONV_LAYER, geometryLiteral(g), INPUT, seg.padLevel(), Int8Emitters.LEVELS,
                    c.derived(Int8Emitters.floats(Int8WeightLayout.asFloats(packed))), Int8Emitters.LEVELS,
                    c.derived(Int8Emitters.floats(asFloats(sums))))));
        }
        CodeBlock scratch = int8.scratch(c, "ints", maxScratch);
        QuantGrid r = l.requant();
        CodeBlock bias = c.derived(Int8Emitters.floats(l.bias()));
        CodeBlock mult = c.derived(Int8Emitters.floats(multiplier));
        b.beginControlFlow("for (int n = 0; n < $L; n++)", batch);
        for (int j = 0; j < segments; j++) {
            QuantizedLinear.InputSegment seg = l.segments().get(j);
            int ch = seg.to() - seg.from();
            if (int8.channelsLast(l.input())) {
                b.addStatement("$T.slice($L, n * $L, $L, $L, $L, $L, $L)", Int8Emitters.CHANNELS_LAST, in,
                        full.inChannels() * pixelsIn, full.inChannels(), seg.from(), ch, pixelsIn, slice);
            } else {
                b.addStatement("$T.sliceToNhwc($L, n * $L + $L, $L, $L, $L, $L)", Int8Emitters.LEVELS, in,
                        full.inChannels() * pixelsIn, seg.from() * pixelsIn, slice, ch, pixelsIn, Int8Emitters.parallel());
            }
            b.addStatement("$T.runFloat($L, $L, $L, 0, $L, $L, $L, $L)", CONV, layers.get(j), identity, slice, d,
                    j * pixelsOut * rows, scratch, Int8Emitters.parallel());
        }
        if (r != null) {
            b.addStatement("$T.combineSegments($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, n * $L, $L, null, 0, $L)",
                    Int8Emitters.LEVELS, d, segments, pixelsOut, rows, bias, mult, l.relu(),
                    c.derived(Int8Emitters.floats(r.inLow())), c.derived(Int8Emitters.floats(r.inHigh())), r.levels(),
                    int8.bytes(c, l.output()), rows * pixelsOut, int8.channelsLast(l.output()), Int8Emitters.parallel());
        } else {
            b.addStatement("$T.combineSegments($L, $L, $L, $L, $L, $L, $L, null, null, 0, null, 0, false, $L, n * $L, $L)",
                    Int8Emitters.LEVELS, d, segments, pixelsOut, rows, bias, mult, l.relu(), c.out(0), rows * pixelsOut,
                    Int8Emitters.parallel());
        }
        b.endControlFlow();
        if (r != null) {
            b.add(int8.dequantizeIfRead(c, l.output(), c.out(0)));
        }
        report(c);
        return b.build();
    }

    /**
     * A layer whose runs of input channels have their own grids, each run on {@code FmaConvolution} (exact sums,
     * written NCHW through an identity epilogue: {@code fma(D, 1, 0) = D}), combined per output channel by
     * {@code LevelTensors.combinePlanes}. In NCHW a run of channels is a contiguous slice of the input levels.
     */
    private CodeBlock emitSegmentedFma(StepContext c) {
        ConvGeometry full = geometry(l);
        int segments = l.segments().size();
        int rows = l.outputChannels();
        int pixelsIn = full.inH() * full.inW(), pixelsOut = full.outH() * full.outW();
        int batch = l.inputShape()[0];
        CodeBlock identity = identityEpilogue(c, rows);
        CodeBlock in = int8.bytes(c, l.input());
        CodeBlock d = int8.scratch(c, "floats", segments * pixelsOut * rows);
        CodeBlock sums = int8.scratch(c, "floatsSums", pixelsOut * rows);
        float[] multiplier = segmentMultipliers();
        boolean carries = carriesBorderTerm(l, int8.exactSums());
        List<CodeBlock> layers = new ArrayList<>();
        int centredFloats = 0, convFloats = 0, workerFloats = 0;
        for (int j = 0; j < segments; j++) {
            QuantizedLinear.InputSegment seg = l.segments().get(j);
            ConvGeometry g = segmentGeometry(l, seg);
            byte[] w = segmentWeights(l, seg);
            c.addWeightBytes(w.length);
            CodeBlock weights = c.derived(Int8Emitters.floats(Int8WeightLayout.asFloats(w)));
            layers.add(c.staticField(FMA, "fma_" + j, CodeBlock.of("new $T($L, $L, $T.bytes($L), $L, $L)", FMA,
                    geometryLiteral(g), seg.padLevel(), Int8Emitters.LEVELS, weights, int8.exactSums(),
                    borderLevel(seg, carries))));
            centredFloats = Math.max(centredFloats, g.inputLength());
            WinogradGeometry winograd = WinogradLayout.plan(g, w, seg.padLevel(), int8.exactSums());
            convFloats = Math.max(convFloats, FmaLayout.sharedScratchFloats(g, winograd));
            workerFloats = Math.max(workerFloats, FmaLayout.workerScratchFloats(winograd));
        }
        CodeBlock centred = int8.scratch(c, "floatsCentred", centredFloats);
        CodeBlock conv = c.floatScratch(convFloats, workerFloats);
        QuantGrid r = l.requant();
        CodeBlock bias = c.derived(Int8Emitters.floats(l.bias()));
        CodeBlock mult = c.derived(Int8Emitters.floats(multiplier));
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// int8 $L in $L runs of input channels on f32 FMA (exact integer sums): $L\n", l.kind(), segments, full);
        b.beginControlFlow("for (int n = 0; n < $L; n++)", batch);
        for (int j = 0; j < segments; j++) {
            QuantizedLinear.InputSegment seg = l.segments().get(j);
            b.addStatement("$L.run($L, n * $L + $L, $L, null, $L, $L, $L, $L, $L, $L)", layers.get(j), in,
                    full.inChannels() * pixelsIn, seg.from() * pixelsIn, identity, d, j * pixelsOut * rows, centred, sums,
                    conv, Int8Emitters.parallel());
        }
        if (r != null) {
            b.addStatement("$T.combinePlanes($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, n * $L, null, 0, $L)",
                    Int8Emitters.LEVELS, d, segments, pixelsOut, rows, bias, mult, l.relu(),
                    c.derived(Int8Emitters.floats(r.inLow())), c.derived(Int8Emitters.floats(r.inHigh())), r.levels(),
                    int8.bytes(c, l.output()), rows * pixelsOut, Int8Emitters.parallel());
        } else {
            b.addStatement("$T.combinePlanes($L, $L, $L, $L, $L, $L, $L, null, null, 0, null, 0, $L, n * $L, $L)",
                    Int8Emitters.LEVELS, d, segments, pixelsOut, rows, bias, mult, l.relu(), c.out(0), rows * pixelsOut,
                    Int8Emitters.parallel());
        }
        b.endControlFlow();
        if (r != null) {
            b.add(int8.dequantizeIfRead(c, l.output(), c.out(0)));
        }
        report(c);
        return b.build();
    }

    /**
     * A layer whose runs of input channels have their own grids, in one pass on {@code FmaConvolution.pointwiseRuns}:
     * run j's weights for output oc scaled by {@code multiplier[oc][j] / base[oc]}, the layer's usual epilogue with
     * multiplier {@code base} (run 0's, or the first nonzero one), so the epilogue reads {@code sum_j multiplier_j
     * * D_j / base} as rounded f32 sums. Levels NCHW in and out, as {@link #emitSegmentedFma}.
     */
    private CodeBlock emitMergedRuns(StepContext c) {
        ConvGeometry g = geometry(l);
        int segments = l.segments().size();
        MergedRuns runs = MergedRuns.of(l);
        float[] factors = runs.factors();
        String starts = joined(runs.starts()), zeros = joined(runs.zeroPoints());
        c.addWeightBytes(l.weights().values().length + 4L * factors.length);
        CodeBlock layer = c.staticField(FMA, "fma", CodeBlock.of("$T.pointwiseRuns($L, $T.bytes($L), new int[] {$L}, "
                + "new int[] {$L}, $L)", FMA, geometryLiteral(g), Int8Emitters.LEVELS,
                c.derived(Int8Emitters.floats(Int8WeightLayout.asFloats(l.weights().values()))), starts, zeros,
                c.derived(Int8Emitters.floats(factors))));
        CodeBlock epi = c.staticField(REQUANT, "epilogue", epilogue(c, runs.base()));
        CodeBlock centred = int8.scratch(c, "floatsCentred", g.inputLength());
        CodeBlock sums = int8.scratch(c, "floatsSums", g.outputLength());
        CodeBlock conv = c.floatScratch(FmaLayout.sharedScratchFloats(g, null), FmaLayout.workerScratchFloats(null));
        CodeBlock.Builder b = CodeBlock.builder();
        b.add("// int8 $L in $L runs of input channels (from channels $L, zero points $L) in one pass, each run's weights "
                + "scaled to one grid ($L): $L\n", l.kind(), segments, starts, zeros, Int8Emitters.ROUNDED_SUMS, g);
        b.add("// $L\n", epilogueNote(l));
        return fmaRuns(c, b, g, layer, epi, centred, sums, conv);
    }

    private static String joined(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * The constants of a layer {@link #mergesRuns}: per output channel the multiplier the epilogue applies ({@code
     * base}: run 0's, or the first nonzero one; 0 when all are), and per run j and output oc the factor on its
     * weights, {@code multiplier[oc][j] / base[oc]} ({@code factors[j * outputs + oc]}); each run's first input
     * channel and zero point. Immutable by contract (arrays not copied), thread-safe.
     */
    record MergedRuns(float[] base, float[] factors, int[] starts, int[] zeroPoints) {
        static MergedRuns of(QuantizedLinear l) {
            int segments = l.segments().size(), rows = l.outputChannels();
            float[] base = new float[rows];
            float[] factors = new float[segments * rows];
            for (int oc = 0; oc < rows; oc++) {
                float[] m = l.multiplier()[oc];
                for (float v : m) {
                    if (v != 0f) {
                        base[oc] = v;
                        break;
                    }
                }
                for (int j = 0; j < segments; j++) {
                    factors[j * rows + oc] = base[oc] == 0f ? 0f : m[j] / base[oc];
                }
            }
            return new MergedRuns(base, factors, l.segments().stream().mapToInt(QuantizedLinear.InputSegment::from).toArray(),
                    l.segments().stream().mapToInt(QuantizedLinear.InputSegment::padLevel).toArray());
        }
    }

    /** The epilogue {@code fma(D, 1, 0) = D} that writes a run's exact dot products as f32, for {@code rows} outputs. */
    private static CodeBlock identityEpilogue(StepContext c, int rows) {
        float[] ones = new float[rows];
        java.util.Arrays.fill(ones, 1f);
        return c.staticField(REQUANT, "exact", CodeBlock.of("$T.toFloat($L, $L, false)", REQUANT,
                c.derived(Int8Emitters.floats(ones)), c.derived(Int8Emitters.floats(new float[rows]))));
    }

    /** The combine's multipliers, {@code [run j][output oc]}. */
    private float[] segmentMultipliers() {
        int segments = l.segments().size(), rows = l.outputChannels();
        float[] multiplier = new float[segments * rows];
        for (int j = 0; j < segments; j++) {
            for (int oc = 0; oc < rows; oc++) {
                multiplier[j * rows + oc] = l.multiplier()[oc][j];
            }
        }
        return multiplier;
    }

    /** The MACs are reported at the layer's own node; this, its last fused node, runs the call. */
    private void report(StepContext c) {
        c.precision("u8");
        String kernel = kernelName(l, int8.exactSums());
        c.report(l.output().node() == l.node().id() ? kernel : "epilogue of int8 layer " + l.node().id() + ": " + kernel,
                l.output().node() == l.node().id() ? l.macs() : 0);
        c.executes(l.macs());
    }

    private static CodeBlock geometryLiteral(ConvGeometry g) {
        return CodeBlock.of("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", GEOMETRY,
                g.inH(), g.inW(), g.inChannels(), g.outChannels(), g.groups(), g.kernelH(), g.kernelW(), g.strideH(),
                g.strideW(), g.padTop(), g.padLeft(), g.padBottom(), g.padRight(), g.dilationH(), g.dilationW());
    }

    private static float[] asFloats(int[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    /**
     * The report's note on the FMA layer's path: exact int8 dot products, and Winograd F(2x2) with its runs of input
     * channels or the small-plane product in its exact integer mode (not 1x1: those are on the pointwise tiles when
     * their weights allow); or Winograd with rounded sums ({@link Int8Emitters#ROUNDED_SUMS}, which the build NOTE
     * counts): F(4x4), or F(2x2) in one run ({@link WinogradLayout#roundsSums}). {@code winograd}: the layer's
     * {@link WinogradLayout#form}, null when it is not Winograd.
     */
    private static String fmaNote(ConvGeometry g, WinogradLayout.Form winograd, boolean borderTerm, boolean exactSums) {
        if (winograd != null && winograd.roundedSums()) {
            int tile = winograd.geometry().outputTile();
            return "int8 dot products on f32 FMA, Winograd F(" + tile + "x" + tile + ", 3x3), " + Int8Emitters.ROUNDED_SUMS;
        }
        if (padsWithBorderLevel(g, winograd, borderTerm, exactSums)) {
            return "int8 dot products on f32 FMA, the border level z - p in the padding, " + Int8Emitters.ROUNDED_SUMS;
        }
        String exact = "exact int8 dot products on f32 FMA";
        if (winograd != null) {
            int runs = winograd.geometry().channelRuns();
            return exact + (runs == 1 ? ", Winograd F(2x2, 3x3)"
                    : ", Winograd F(2x2, 3x3) in " + runs + " runs of input channels");
        }
        boolean smallPlane = TiledLayout.smallPlane(g.groups(), g.outH(), g.outW(), g.outChannels(), g.kernelH(),
                g.kernelW());
        return exact + (smallPlane && g.kernelH() * g.kernelW() > 1 ? ", small plane: int8 weights, int32 every 512 products" : "");
    }
}
