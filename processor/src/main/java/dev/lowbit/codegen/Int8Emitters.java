package dev.lowbit.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.IrException;
import dev.lowbit.transform.lpt.Fp32Step;
import dev.lowbit.transform.lpt.LoweredModel;
import dev.lowbit.transform.lpt.LoweredStep;
import dev.lowbit.transform.lpt.NumpyBroadcast;
import dev.lowbit.transform.lpt.PreservedStep;
import dev.lowbit.transform.lpt.QuantGrid;
import dev.lowbit.transform.lpt.QuantizeStep;
import dev.lowbit.transform.lpt.QuantizedAddStep;
import dev.lowbit.transform.lpt.QuantizedLinear;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emitters of a model compiled on its int8 path: the layers the low-precision transformations lowered
 * ({@link LoweredModel}) call the int8 kernels ({@link Int8LinearEmitter}), quantize/dequantize at the borders of
 * fp32 islands, and run MaxPool/Concat/ReLU on u8 levels; everything else keeps its fp32 emitter. The plan is
 * still made from the folded graph (node ids are shared with the raw graph the transformations lowered), so
 * fp32 values keep the memory plan's float buffers; each quantized value gets its own byte array of level
 * indices (views such as Reshape share it), in NHWC order where every op touching it can work on NHWC, else in
 * the IR's NCHW order ({@link LevelLayouts}).
 *
 * <p>A lowered layer the kernels cannot run ({@link Int8LinearEmitter#unsupportedReason}) runs its original nodes
 * with the fp32 emitters and its FakeQuantize literally, which is what the IR says; {@link #fp32Layers()} lists
 * them with the reason for the build's NOTE. One instance per generated class (it names that class's byte
 * buffers and sizes its scratch); not thread-safe.
 */
public final class Int8Emitters extends Emitters {
    static final ClassName LEVELS = ClassName.get("dev.lowbit.runtime.int8", "LevelTensors");
    static final ClassName CHANNELS_LAST = ClassName.get("dev.lowbit.runtime.int8", "ChannelsLastLevels");

    private final LoweredModel lowered;
    private final Map<Integer, LoweredStep> byNode = new HashMap<>();
    private final Map<Integer, QuantizedLinear> fastByOutputNode = new HashMap<>();
    private final Set<Integer> fusedAway = new HashSet<>();
    private final Map<Integer, QuantizedLinear> fallbackOutputNode = new HashMap<>();
    private final Map<Integer, QuantizedAddStep> addByOutputNode = new HashMap<>();
    private final Map<ValueRef, ValueRef> byteRoot = new HashMap<>();
    private final Map<ValueRef, String> byteFields = new HashMap<>();
    private final Map<Node, String> fp32Layers = new LinkedHashMap<>();
    private final Map<String, Integer> scratch = new LinkedHashMap<>();
    private final Map<Integer, QuantizedLinear> fastByLayerNode = new HashMap<>();
    /** Multiply -> Add -> FakeQuantize chains quantized in one pass ({@link AffineQuantize}), by each node's id. */
    private final Map<Integer, AffineChain> affineByNode = new HashMap<>();
    private final Set<Integer> quantizeNodes = new HashSet<>();
    private final List<ValueRef> levelTensors;
    private final LevelLayouts layouts;

    /**
     * The report's words for a layer whose sums are rounded f32, not exact integers (Winograd: {@code
     * WinogradLayout.roundsSums}; runs of input channels in one pass: {@code Int8LinearEmitter.mergesRuns}; the
     * border level in the direct tiles' padding: {@code FmaLayout.padsWithBorderLevel}): the
     * build NOTE counts the layers whose kernel names them.
     */
    public static final String ROUNDED_SUMS = "rounded f32 sums";
    /** The report's words for a layer whose kernel omits the border term of its fractional zero point. */
    public static final String BORDER_TERM_OMITTED = "border term of the fractional zero point omitted";
    /** The report's words for a layer whose kernel adds the border term (its padding at {@code z - p}, or after the sums). */
    public static final String BORDER_TERM_CARRIED = "border term of the fractional zero point carried";

    /**
     * Whether the generated kernel of a layer has the border term of its fractional zero point (for the simulator
     * that stands in for the generated code: {@code new Int8Simulator(model, l -> carriesBorderTerm(l, exactSums))}).
     */
    public static boolean carriesBorderTerm(QuantizedLinear l, boolean exactSums) {
        return Int8LinearEmitter.carriesBorderTerm(l, exactSums);
    }

    /** The model's {@code @CompiledModel(exactInt8)}: every int8 layer sums exactly (no rounded f32 sums). */
    private final boolean exactSums;

    /**
     * @param exactSums {@code @CompiledModel(exactInt8)}: false lets the 3x3 layers the f32 path runs as Winograd
     *                  F(4x4) or F(3x3) run it too, with rounded sums ({@code WinogradLayout.rounded}), and F(2x2) layers sum
     *                  in one run where exact sums would need several ({@code WinogradLayout.roundsSums})
     */
    public Int8Emitters(LoweredModel lowered, boolean exactSums) {
        this.lowered = lowered;
        this.exactSums = exactSums;
        for (LoweredStep s : lowered.steps()) {
            byNode.put(s.node().id(), s);
            if (s instanceof QuantizedLinear l) {
                String why = Int8LinearEmitter.unsupportedReason(l);
                List<Node> nodes = new ArrayList<>();
                nodes.add(l.node());
                nodes.addAll(l.fused());
                if (why == null) {
                    fastByOutputNode.put(l.output().node(), l);
                    fastByLayerNode.put(l.node().id(), l);
                    nodes.forEach(n -> {
                        if (n.id() != l.output().node()) {
                            fusedAway.add(n.id());
                        }
                    });
                } else {
                    fp32Layers.put(l.node(), "the int8 kernels cannot run it: " + why);
                    if (l.requant() != null) {
                        fallbackOutputNode.put(l.output().node(), l);
                        quantizeNodes.add(l.output().node());
                    }
                }
            } else if (s instanceof QuantizedAddStep a) {
                addByOutputNode.put(a.output().node(), a);
                fusedAway.add(a.node().id());
            } else if (s instanceof Fp32Step f && f.note() != null) {
                fp32Layers.put(f.node(), f.note());
            } else if (s instanceof PreservedStep p && isView(p.node())) {
                byteRoot.put(p.output(), root(p.inputs().get(0)));
            } else if (s instanceof QuantizeStep q) {
                quantizeNodes.add(q.node().id());
                AffineChain chain = affineChain(q);
                if (chain != null) {
                    for (Node n : List.of(chain.multiply(), chain.add(), q.node())) {
                        affineByNode.put(n.id(), chain);
                    }
                }
            }
        }
        this.levelTensors = levelTensors();
        this.layouts = new LevelLayouts(new Roles(), levelTensors);
    }

    /** Every value whose levels have their own byte array (views share their input's). */
    private List<ValueRef> levelTensors() {
        List<ValueRef> all = new ArrayList<>();
        for (LoweredStep s : lowered.steps()) {
            boolean writesLevels = s instanceof QuantizedLinear l ? l.requant() != null
                    : s instanceof QuantizedAddStep || s instanceof QuantizeStep
                    || (s instanceof PreservedStep p && !isView(p.node()));
            if (writesLevels) {
                all.add(s.output());
            }
        }
        return all;
    }

    /** Whether quantized value {@code v}'s bytes are stored channels-last (NHWC), see {@link LevelLayouts}. */
    boolean channelsLast(ValueRef v) {
        return layouts.channelsLast(root(v));
    }

    /** Whether every int8 layer sums exactly ({@code @CompiledModel(exactInt8)}). */
    public boolean exactSums() {
        return exactSums;
    }

    /** Level tensors stored NHWC, for the build report. */
    public int channelsLastTensors() {
        return layouts.channelsLastCount();
    }

    /** Level tensors with their own byte array, for the build report. */
    public int levelTensorCount() {
        return levelTensors.size();
    }

    /** What {@link LevelLayouts} asks about this class's emitters. */
    private final class Roles implements LevelLayouts.Roles {
        @Override
        public boolean exactSums() {
            return exactSums;
        }

        @Override
        public Graph graph() {
            return lowered.graph();
        }

        @Override
        public LoweredStep stepAt(int nodeId) {
            return byNode.get(nodeId);
        }

        @Override
        public QuantizedLinear int8LayerWritingAt(int nodeId) {
            return fastByOutputNode.get(nodeId);
        }

        @Override
        public QuantizedLinear int8LayerReadingAt(int nodeId) {
            return fastByLayerNode.get(nodeId);
        }

        @Override
        public QuantizedAddStep addWritingAt(int nodeId) {
            return addByOutputNode.get(nodeId);
        }

        @Override
        public boolean quantizesAt(int nodeId) {
            return quantizeNodes.contains(nodeId);
        }

        @Override
        public ValueRef root(ValueRef v) {
            return Int8Emitters.this.root(v);
        }

        @Override
        public boolean viewed(ValueRef root) {
            return byteRoot.containsValue(root);
        }

        @Override
        public boolean poolsChannelsLast(Node maxPool) {
            Graph g = lowered.graph();
            return PreservedEmitter.poolGeometry(maxPool, g.port(maxPool.input(0)).shape(), g.port(maxPool.out(0)).shape()) != null;
        }
    }

    /** The lowered model this class compiles. */
    public LoweredModel lowered() {
        return lowered;
    }

    /** Convolution/GroupConvolution/MatMul layers that run in fp32 in the generated code, with the reason. */
    public Map<Node, String> fp32Layers() {
        Map<Node, String> all = new LinkedHashMap<>();
        for (LoweredModel.LinearLayer l : lowered.linear()) {
            String why = fp32Layers.get(l.node());
            if (!l.int8() || why != null) {
                all.put(l.node(), why != null ? why : "not lowered by the low-precision transformations");
            }
        }
        return all;
    }

    /** Share of Convolution/GroupConvolution/MatMul MACs the generated code runs in int8 kernels. */
    public double int8MacFraction() {
        long all = 0, int8 = 0;
        for (LoweredModel.LinearLayer l : lowered.linear()) {
            if (!l.node().is("ConvolutionBackpropData")) {
                all += l.macs();
                int8 += l.int8() && !fp32Layers.containsKey(l.node()) ? l.macs() : 0;
            }
        }
        return all == 0 ? 1 : (double) int8 / all;
    }

    /** Reshape, Squeeze and Unsqueeze: their levels share their input's byte array. */
    static boolean isView(Node n) {
        return n.is("Reshape") || n.is("Squeeze") || n.is("Unsqueeze");
    }

    private ValueRef root(ValueRef v) {
        return byteRoot.getOrDefault(v, v);
    }

    /**
     * False: the fp32 islands of the int8 path (convolutions OMZ left unquantized, MatMul heads, ...) take the fast
     * f32 kernels. Oracle-identical sums buy nothing here: the int8 epilogues already fold scales into f32
     * constants, so a level may flip where a value lies within f32 rounding of a boundary, and the path is held to
     * the simulator within a few such flips (Int8GeneratedModelTest, model-tests' Int8VariantCheck). The double
     * kernels made these islands the slowest part of some models (head-pose: 49% of its MACs, 11.4 ms vs 1.9 ms for
     * the float IR).
     */
    @Override
    boolean exactFp32(Graph planned) {
        return false;
    }

    /**
     * A FakeQuantize step fed by an fp32 Add of a per-channel constant, fed by an fp32 Multiply by a per-channel
     * constant (landmarks-regression's batch-norm after each pool), each the only reader of the value before it:
     * {@code x * scale[c] + shift[c]} quantized in one pass. Null when the FakeQuantize has no such chain in front.
     */
    private AffineChain affineChain(QuantizeStep q) {
        Graph g = lowered.graph();
        Node add = g.node(q.input().node());
        if (!add.is("Add") || !(byNode.get(add.id()) instanceof Fp32Step) || !soleReader(g, q.input(), q.node())) {
            return null;
        }
        int[] shape = g.port(q.input()).shape();
        int addConst = constantOperand(add);
        float[] shift = channelConstant(add, addConst, shape);
        if (shift == null) {
            return null;
        }
        Node mul = g.node(add.input(1 - addConst).node());
        if (!mul.is("Multiply") || !(byNode.get(mul.id()) instanceof Fp32Step)
                || !soleReader(g, add.input(1 - addConst), add)) {
            return null;
        }
        int mulConst = constantOperand(mul);
        float[] scale = channelConstant(mul, mulConst, shape);
        if (scale == null || !java.util.Arrays.equals(g.port(mul.input(1 - mulConst)).shape(), shape)) {
            return null;
        }
        return new AffineChain(mul, 1 - mulConst, add, q, scale, shift);
    }

    /** The input position of a two-input node's one constant operand, else -1. */
    private int constantOperand(Node n) {
        if (n.inputs().size() != 2) {
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            if (lowered.constants().isConstant(n.input(i)) && !lowered.constants().isConstant(n.input(1 - i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Input {@code i} of {@code n} as one float per channel (axis 1 of {@code shape}), or null when {@code i} is -1,
     * the tensor has no channel axis, or the constant varies along another axis.
     */
    private float[] channelConstant(Node n, int i, int[] shape) {
        if (i < 0 || shape.length < 2) {
            return null;
        }
        return NumpyBroadcast.alongAxisAsFloats(lowered.constants().value(n.input(i)), shape, 1);
    }

    private static boolean soleReader(Graph g, ValueRef v, Node reader) {
        List<Graph.Use> uses = g.consumers(v);
        return uses.size() == 1 && uses.get(0).node().id() == reader.id();
    }

    /** What {@link #affineChain} found: {@code multiply}'s input {@code input} is x. */
    private record AffineChain(Node multiply, int input, Node add, QuantizeStep quantize, float[] scale,
            float[] shift) {}

    @Override
    LayerEmitter forNode(Node n) {
        LayerEmitter fp32 = super.forNode(n);
        AffineChain chain = affineByNode.get(n.id());
        if (chain != null) {
            return new AffineQuantize(chain, fp32);
        }
        if (fastByOutputNode.containsKey(n.id())) {
            return new Int8LinearEmitter(this, fastByOutputNode.get(n.id()), fp32);
        }
        if (addByOutputNode.containsKey(n.id())) {
            return new QuantizedAdd(addByOutputNode.get(n.id()));
        }
        if (fusedAway.contains(n.id())) {
            LoweredStep main = byNode.get(n.id());
            return new FusedAway(fp32, main instanceof QuantizedLinear l ? l : null, exactSums);
        }
        if (fallbackOutputNode.containsKey(n.id())) {
            return new Requantized(fp32, fallbackOutputNode.get(n.id()).requant());
        }
        LoweredStep s = byNode.get(n.id());
        if (s instanceof QuantizeStep q) {
            return new Requantized(null, q.grid());
        }
        if (s instanceof PreservedStep p) {
            if (!p.lookups().isEmpty() && p.lookups().stream().anyMatch(java.util.Objects::nonNull)) {
                throw new IrException(n, "int8 code generation does not implement Concat lookup tables "
                        + "(the common-grid option of the low-precision pipeline)");
            }
            return new PreservedEmitter(this, p, fp32);
        }
        return fp32;
    }

    // ---- what the int8 emitters share ----

    /** The byte array (u8 levels, layout {@link #channelsLast}) of quantized value {@code v}, created on first use. */
    CodeBlock bytes(StepContext c, ValueRef v) {
        ValueRef r = root(v);
        String name = byteFields.computeIfAbsent(r, k -> {
            int size = lowered.graph().port(k).size();
            return c.classState().instanceField(ArrayTypeName.of(TypeName.BYTE), "q" + k.node() + "_" + k.port(),
                    CodeBlock.of("new byte[$L]", size));
        });
        return CodeBlock.of("this.$N", name);
    }

    QuantGrid grid(ValueRef v) {
        QuantGrid g = lowered.grid(v);
        if (g == null) {
            throw new IllegalStateException("value " + v + " is not quantized");
        }
        return g;
    }

    /**
     * Whether some reader of quantized value {@code v} needs its fp32 form (an fp32 layer, a Result, a lowered
     * layer running in fp32), so its producer also writes the float buffer the memory plan gave it.
     */
    boolean needsFloat(ValueRef v) {
        Graph g = lowered.graph();
        for (Graph.Use u : g.consumers(v)) {
            Node c = u.node();
            LoweredStep s = byNode.get(c.id());
            if (s instanceof QuantizedLinear l && fastByOutputNode.containsKey(l.output().node()) && c.id() == l.node().id()) {
                continue;
            }
            if (s instanceof QuantizedAddStep) {
                continue; // reads the levels
            }
            if (s instanceof PreservedStep p) {
                if (isView(c) ? needsFloat(p.output()) : false) {
                    return true;
                }
                continue;
            }
            return true;
        }
        return false;
    }

    /** Dequantizes {@code v}'s levels into {@code floats} when a reader needs them (else nothing). */
    CodeBlock dequantizeIfRead(StepContext c, ValueRef v, CodeBlock floats) {
        if (!needsFloat(v)) {
            return CodeBlock.of("");
        }
        QuantGrid grid = grid(v);
        int[] shape = lowered.graph().port(v).shape();
        int[] oci = outerChannelsInner(shape);
        return CodeBlock.builder().addStatement("$T.dequantize($L, $L, $L, $L, $L, $L, $L, $L)", levels(v), bytes(c, v),
                floats, oci[0], oci[1], oci[2], c.derived(floats(grid.outLow())), c.derived(floats(grid.outHigh())),
                grid.levels()).build();
    }

    /** The class with the level passes for {@code v}'s layout: {@code ChannelsLastLevels} or {@code LevelTensors}. */
    ClassName levels(ValueRef v) {
        return channelsLast(v) ? CHANNELS_LAST : LEVELS;
    }

    static int[] outerChannelsInner(int[] shape) {
        int outer = shape.length >= 1 ? shape[0] : 1;
        int channels = shape.length >= 2 ? shape[1] : 1;
        int inner = 1;
        for (int a = 2; a < shape.length; a++) {
            inner *= shape[a];
        }
        if (shape.length == 1) {
            return new int[] {1, 1, shape[0]};
        }
        return new int[] {outer, channels, inner};
    }

    static dev.lowbit.graph.Tensor floats(float[] v) {
        return dev.lowbit.graph.Tensor.f32(new int[] {v.length}, v);
    }

    /** The instance's worker pool (null: single-threaded), the last argument of the int8 kernel calls. */
    static CodeBlock parallel() {
        return CodeBlock.of("this.$N", ModelClassWriter.PARALLEL_FIELD);
    }

    /** A shared per-instance scratch array of {@code kind} ("ints", "floats...": float, else bytes) of at least n. */
    CodeBlock scratch(StepContext c, String kind, int n) {
        boolean first = !scratch.containsKey(kind);
        int size = Math.max(scratch.getOrDefault(kind, 0), n);
        scratch.put(kind, size);
        String sizes = c.classState().intConstant("int8_scratch_" + kind, new int[] {size});
        String field = "s8_" + kind;
        if (first) {
            TypeName element = kind.equals("ints") ? TypeName.INT : kind.startsWith("floats") ? TypeName.FLOAT : TypeName.BYTE;
            // sized by an int constant that later layers raise, so one array serves every layer; the kernels' ints
            // also get a tile slot per thread of the instance's ExecutionConfig
            CodeBlock init = kind.equals("ints")
                    ? CodeBlock.of("new int[$T.scratchIntsFor($N[0], $N.threads())]", ClassName.get("dev.lowbit.runtime.int8",
                            "Int8ConvLayer"), sizes, ModelClassWriter.CONFIG_PARAMETER)
                    : CodeBlock.of("new $T[$N[0]]", element, sizes);
            c.classState().instanceField(ArrayTypeName.of(element), field, init);
        }
        return CodeBlock.of("this.$N", field);
    }

    /**
     * A node of an int8 layer other than its last: nothing runs here. The layer's own node ({@code layer} not
     * null) carries the report entry (kernel, MACs); bias, ReLU and FakeQuantize are marked as fused.
     */
    private record FusedAway(LayerEmitter fp32, QuantizedLinear layer, boolean exactSums) implements LayerEmitter {
        @Override
        public void check(Node node, Graph graph) {
            fp32.check(node, graph);
        }

        @Override
        public CodeBlock emit(StepContext c) {
            c.precision("u8");
            if (layer != null) {
                c.report(Int8LinearEmitter.kernelName(layer, exactSums) + ", called at layer " + layer.output().node(), layer.macs());
                c.executes(0);
            } else {
                c.report("fused into the epilogue of the int8 kernel", 0);
            }
            return CodeBlock.of("// fused into the int8 kernel call of a later layer\n");
        }
    }

    /**
     * The last argument of a quantize into {@code levels}: for NHWC levels the gather offsets of planes of
     * {@code pixels} ({@code ChannelsLastLevels.channelOffsets}, made once per class), for NCHW none.
     */
    private CodeBlock channelOffsetsArgument(StepContext c, ValueRef levels, int pixels) {
        return channelsLast(levels)
                ? CodeBlock.of(", $L", c.staticField(TypeName.get(int[].class), "channelOffsets",
                        CodeBlock.of("$T.channelOffsets($L)", CHANNELS_LAST, pixels)))
                : CodeBlock.of("");
    }

    /**
     * A FakeQuantize whose output is a quantized value: its input's levels on {@code grid} (a {@link QuantizeStep},
     * or the last node of a lowered layer running in fp32, whose FakeQuantize also runs literally in fp32 when
     * {@code fp32} is given). Dequantizes for fp32 readers.
     */
    private final class Requantized implements LayerEmitter {
        private final LayerEmitter fp32;
        private final QuantGrid grid;

        Requantized(LayerEmitter fp32, QuantGrid grid) {
            this.fp32 = fp32;
            this.grid = grid;
        }

        @Override
        public void check(Node node, Graph graph) {
            Int8Emitters.super.forNode(node).check(node, graph);
        }

        @Override
        public CodeBlock emit(StepContext c) {
            Node n = c.node();
            int[] shape = c.inShape(0);
            int[] oci = outerChannelsInner(shape);
            CodeBlock.Builder b = CodeBlock.builder();
            // levels first: the fp32 FakeQuantize may write over its input (the plan reuses a dying input)
            b.addStatement("$T.quantize($L, $L, $L, $L, $L, $L, $L, $L$L)", levels(n.out(0)), c.in(0), bytes(c, n.out(0)),
                    oci[0], oci[1], oci[2], c.derived(floats(grid.inLow())), c.derived(floats(grid.inHigh())),
                    grid.levels(), channelOffsetsArgument(c, n.out(0), oci[2]));
            if (fp32 != null) {
                b.add(fp32.emit(c));
            } else {
                b.add(dequantizeIfRead(c, n.out(0), c.out(0)));
                c.report(levels(n.out(0)).simpleName() + ".quantize (f32 -> u8 levels)", 0);
                c.precision("u8");
            }
            return b.build();
        }
    }

    /**
     * One node of an {@link AffineChain}: the Multiply emits {@code quantizeAffine} (its input x to the
     * FakeQuantize's levels; the f32 operations of the separate Multiply and Add, so bit-identical), the Add
     * nothing, the FakeQuantize the dequantize its fp32 readers need. Saves two passes over f32 tensors and the
     * quantize's own read (landmarks' five such chains: about 1-4 us each).
     */
    private final class AffineQuantize implements LayerEmitter {
        private final AffineChain chain;
        private final LayerEmitter fp32;

        AffineQuantize(AffineChain chain, LayerEmitter fp32) {
            this.chain = chain;
            this.fp32 = fp32;
        }

        @Override
        public void check(Node node, Graph graph) {
            fp32.check(node, graph);
        }

        @Override
        public CodeBlock emit(StepContext c) {
            Node n = c.node();
            ValueRef levels = chain.quantize().output();
            c.precision("u8");
            if (n.id() == chain.add().id()) {
                c.report("fused into the quantize at layer " + chain.multiply().id(), 0);
                return CodeBlock.of("// fused into the quantize at layer $L\n", chain.multiply().id());
            }
            if (n.id() == chain.quantize().node().id()) {
                c.report("quantized at layer " + chain.multiply().id() + " (Multiply + Add + FakeQuantize)", 0);
                return CodeBlock.builder().add("// levels written at layer $L\n", chain.multiply().id())
                        .add(dequantizeIfRead(c, levels, c.out(0))).build();
            }
            int[] oci = outerChannelsInner(c.inShape(chain.input()));
            QuantGrid grid = chain.quantize().grid();
            c.report(levels(levels).simpleName() + ".quantizeAffine (x * a + b -> u8 levels; Multiply, Add "
                    + chain.add().id() + ", FakeQuantize " + chain.quantize().node().id() + ")", 0);
            return CodeBlock.builder()
                    .add("// x * scale + shift (Multiply, Add $L) quantized for FakeQuantize $L in one pass\n",
                            chain.add().id(), chain.quantize().node().id())
                    .addStatement("$T.quantizeAffine($L, $L, $L, $L, $L, $L, $L, $L, $L, $L$L)", levels(levels),
                            c.in(chain.input()), bytes(c, levels), oci[0], oci[1], oci[2],
                            c.derived(floats(chain.scale())), c.derived(floats(chain.shift())),
                            c.derived(floats(grid.inLow())), c.derived(floats(grid.inHigh())), grid.levels(),
                            channelOffsetsArgument(c, levels, oci[2]))
                    .build();
        }
    }

    /**
     * A residual Add of two quantized tensors with its FakeQuantize ({@link QuantizedAddStep}), emitted at the
     * FakeQuantize: {@code LevelTensors.addRequantized}, then dequantized for fp32 readers.
     */
    private final class QuantizedAdd implements LayerEmitter {
        private final QuantizedAddStep step;

        QuantizedAdd(QuantizedAddStep step) {
            this.step = step;
        }

        @Override
        public void check(Node node, Graph graph) {
            Int8Emitters.super.forNode(node).check(node, graph);
        }

        @Override
        public CodeBlock emit(StepContext c) {
            QuantGrid ga = grid(step.a()), gb = grid(step.b()), g = step.grid();
            int[] oci = outerChannelsInner(lowered.graph().port(step.output()).shape());
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("$T.addRequantized($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", levels(step.output()),
                    bytes(c, step.a()), c.derived(floats(ga.outLow())), c.derived(floats(ga.outHigh())), ga.levels(),
                    bytes(c, step.b()), c.derived(floats(gb.outLow())), c.derived(floats(gb.outHigh())), gb.levels(),
                    bytes(c, step.output()), oci[0], oci[1], oci[2], c.derived(floats(g.inLow())),
                    c.derived(floats(g.inHigh())), g.levels());
            b.add(dequantizeIfRead(c, step.output(), c.out(0)));
            c.precision("u8");
            c.report(levels(step.output()).simpleName() + ".addRequantized (u8 + u8 -> u8, layer " + step.node().id()
                    + " with this FakeQuantize)", 0);
            return b.build();
        }
    }
}
