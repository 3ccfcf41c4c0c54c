package dev.lowbit.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.plan.ModelPlan;
import dev.lowbit.plan.Storage;

/**
 * What an emitter may ask while generating one layer: the node, its declared shapes, expressions for its
 * operands (scratch buffers, model inputs, constants from the weights blob), named integer constants and
 * per-instance helper objects; it also collects the layer's report entry (kernel, MACs, weight bytes).
 * Not thread-safe: one per generated layer.
 */
final class StepContext {
    private final Node node;
    private final ModelPlan plan;
    private final ClassState state;
    private String kernel = "";
    private String precision = "f32";
    private long macs;
    /** MACs this layer's own method performs, when not its reported {@link #macs}; -1: the same. */
    private long executedMacs = -1;
    private long weightBytes;
    private final boolean exactFp32;

    /** @param exactFp32 whether fp32 layers must use the oracle-identical kernels ({@link Emitters#exactFp32}) */
    StepContext(Node node, ModelPlan plan, ClassState state, boolean exactFp32) {
        this.node = node;
        this.plan = plan;
        this.state = state;
        this.exactFp32 = exactFp32;
    }

    Node node() {
        return node;
    }

    int[] inShape(int i) {
        return plan.graph().port(node.input(i)).shape();
    }

    int[] outShape(int i) {
        return node.output(i).shape();
    }

    /** The build-time value of input {@code i}, or null when it is computed at run time. */
    Tensor constant(int i) {
        Node producer = plan.graph().node(node.input(i).node());
        return producer.is("Const") ? producer.constant() : null;
    }

    /** An expression for the array holding input {@code i}. */
    CodeBlock in(int i) {
        return expression(node.input(i));
    }

    /** An expression for the array receiving output {@code i}. */
    CodeBlock out(int i) {
        return expression(node.out(i));
    }

    private CodeBlock expression(ValueRef v) {
        Storage s = plan.storageOf(v);
        return switch (s) {
            case Storage.Input in -> CodeBlock.of("this.input$L", in.index());
            case Storage.Scratch sc -> CodeBlock.of("this.b$L", sc.buffer());
            case Storage.Constant c -> {
                Node producer = plan.graph().node(c.value().node());
                int index = state.constant(c.value(), producer);
                weightBytes += 4L * producer.constant().size();
                yield CodeBlock.of("W[$L]", index);
            }
        };
    }

    /** A static final int[] constant of the generated class holding {@code values}; returns its name. */
    CodeBlock ints(String what, int[] values) {
        return CodeBlock.of("$N", state.intConstant("L" + node.id() + "_" + what, values));
    }

    /** The shared double scratch (kernels accumulate in it), grown to at least {@code doubles}. */
    CodeBlock acc(int doubles) {
        state.needAcc(doubles);
        return CodeBlock.of("this.acc");
    }

    /** The per-instance float scratch shared by the fast fp32 kernels, grown to at least {@code floats}. */
    CodeBlock floatScratch(int floats) {
        return CodeBlock.of("this.$N", state.floatScratch(floats));
    }

    /** As {@link #floatScratch(int)}, plus {@code perWorker} floats per thread of the instance (ClassState). */
    CodeBlock floatScratch(int floats, int perWorker) {
        return CodeBlock.of("this.$N", state.floatScratch(floats, perWorker));
    }

    /** Whether this layer must use the exact (double-accumulating, oracle-identical) fp32 kernels: {@link Emitters#exactFp32}. */
    boolean exactFp32() {
        return exactFp32;
    }

    /** A per-instance field of {@code type} created in the constructor by {@code init}; returns its name. */
    CodeBlock instanceField(TypeName type, String what, CodeBlock init) {
        return CodeBlock.of("this.$N", state.instanceField(type, "l" + node.id() + "_" + what, init));
    }

    void report(String kernelName, long multiplyAccumulates) {
        this.kernel = kernelName;
        this.macs = multiplyAccumulates;
    }

    /** The precision the layer computes in, for the report ("f32", "u8" for int8 kernels on u8 levels). */
    void precision(String p) {
        this.precision = p;
    }

    String precision() {
        return precision;
    }

    /** Bytes of build-time constants the layer reads beyond IR constants (packed weights). */
    void addWeightBytes(long bytes) {
        weightBytes += bytes;
    }

    /** An expression for a float[] of the weights blob holding {@code t} (a constant derived at build time). */
    CodeBlock derived(Tensor t) {
        return CodeBlock.of("W[$L]", state.derivedConstant(t));
    }

    /** A static final field of {@code type} initialized by {@code init} after the weights; returns its name. */
    CodeBlock staticField(TypeName type, String what, CodeBlock init) {
        return CodeBlock.of("$N", state.staticField(type, "L" + node.id() + "_" + what, init));
    }

    /** Class-wide state shared by the int8 emitters (their byte buffers and scratch). */
    ClassState classState() {
        return state;
    }

    String kernel() {
        return kernel;
    }

    long macs() {
        return macs;
    }

    /**
     * Declares that the layer's method performs {@code multiplyAccumulates}, not the reported MACs: an int8 kernel
     * reports its MACs at the linear layer but runs in the method of its last fused layer. The profiler divides by
     * time with these.
     */
    void executes(long multiplyAccumulates) {
        this.executedMacs = multiplyAccumulates;
    }

    /** The MACs the layer's own method performs per inference. */
    long executedMacs() {
        return executedMacs < 0 ? macs : executedMacs;
    }

    long weightBytes() {
        return weightBytes;
    }
}
