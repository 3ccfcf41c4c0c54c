package dev.lowbit.codegen;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.plan.ModelPlan;
import dev.lowbit.plan.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Assembles the generated model class from a plan: one private method per layer (its body from the layer's
 * emitter), run methods calling them in order in chunks (so no method nears HotSpot's 8000-byte limit), the
 * scratch buffers of the memory plan as final fields, constants from a weights blob read once at class
 * initialization, and the public API (InferenceModel plus the user's typed methods). Stateless, thread-safe.
 */
public final class ModelClassWriter {
    /** Layer calls per run method: 4 bytes of bytecode each, far below 8000 bytes. */
    private static final int CALLS_PER_RUN_METHOD = 400;
    private static final ClassName INFERENCE_MODEL = ClassName.get("dev.lowbit.runtime", "InferenceModel");
    private static final ClassName TENSOR_SPEC = ClassName.get("dev.lowbit.runtime", "TensorSpec");
    private static final ClassName MODEL_INPUTS = ClassName.get("dev.lowbit.runtime", "ModelInputs");
    private static final ClassName WEIGHT_BLOB = ClassName.get("dev.lowbit.runtime", "WeightBlob");
    private static final ClassName LITERALS = ClassName.get("dev.lowbit.runtime", "Literals");
    private static final ClassName EXECUTION_CONFIG = ClassName.get("dev.lowbit.runtime", "ExecutionConfig");
    private static final ClassName PARALLEL = ClassName.get("dev.lowbit.runtime", "Parallel");
    /** The constructor's ExecutionConfig parameter: instance initializers (scratch sizes) may read it. */
    static final String CONFIG_PARAMETER = "lowbitConfig";
    /** The instance's worker pool, null when single-threaded: the int8 kernel calls pass it. */
    static final String PARALLEL_FIELD = "lowbitParallel";
    private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
    private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
    private static final TypeName SPECS = ParameterizedTypeName.get(ClassName.get(List.class), TENSOR_SPEC);
    private static final TypeName TENSOR_MAP = ParameterizedTypeName.get(ClassName.get(Map.class),
            ClassName.get(String.class), FLOATS);

    private final Emitters emitters;
    private final boolean profiling;

    /** A writer whose classes implement {@code Profiled} (see {@link ProfilingWriter}). */
    public ModelClassWriter(Emitters emitters) {
        this(emitters, true);
    }

    /** @param profiling whether the classes implement {@code Profiled}; without it they have no timing code at all */
    public ModelClassWriter(Emitters emitters, boolean profiling) {
        this.emitters = emitters;
        this.profiling = profiling;
    }

    /**
     * @param generated   the class to generate, e.g. {@code com.acme.FaceModel}
     * @param api         the annotated interface it implements
     * @param modelLabel  where the model came from, for comments
     * @param modelSha256 hash of the model's .xml and .bin
     * @param processor   the processor's class name, for {@code @Generated}
     */
    public GeneratedModel write(ModelPlan plan, ClassName generated, ClassName api, List<TypedMethod> typed,
            String modelLabel, String modelSha256, String processor) {
        ClassState state = new ClassState();
        boolean exactFp32 = emitters.exactFp32(plan.graph());
        ConvEpilogues epilogues = ConvEpilogues.find(plan, emitters, exactFp32);
        List<MethodSpec> layers = new ArrayList<>();
        List<LayerReport> reports = new ArrayList<>();
        List<Long> executedMacs = new ArrayList<>();
        for (Step step : plan.steps()) {
            Node n = step.node();
            StepContext ctx = new StepContext(n, plan, state, exactFp32);
            CodeBlock body = epilogues.emitterFor(n, emitters.forNode(n)).emit(ctx);
            layers.add(MethodSpec.methodBuilder(layerMethodName(n))
                    .addModifiers(Modifier.PRIVATE)
                    .addJavadoc("$L: $L -> $L\n", n.describe(), inputsText(plan, n), n.outputs())
                    .addCode(body)
                    .build());
            reports.add(new LayerReport(n.id(), n.name(), n.type(), ctx.precision(), ctx.kernel(), ctx.macs(), ctx.weightBytes()));
            executedMacs.add(ctx.executedMacs());
        }
        String resource = generated.simpleName() + ".weights";
        byte[] blob = blob(state.blob());
        String blobSha = dev.lowbit.runtime.WeightBlob.sha256(blob);

        TypeSpec.Builder type = TypeSpec.classBuilder(generated)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(api)
                .addSuperinterface(INFERENCE_MODEL)
                .addAnnotation(AnnotationSpec.builder(GENERATED)
                        .addMember("value", "$S", processor)
                        .addMember("comments", "$S", "from " + modelLabel + ", model sha256 " + modelSha256)
                        .build())
                .addJavadoc("The model {@code $L} compiled ahead of time for {@link $T}.\n\n", modelLabel, api)
                .addJavadoc("<p>Not thread-safe: an instance owns its scratch buffers ($L floats). Instances are cheap\n",
                        plan.scratchFloats())
                .addJavadoc("(the weights, $L bytes, are read once per class and shared), so use one per thread, or\n",
                        blob.length)
                .addJavadoc("{@code dev.lowbit.runtime.InferencePool} (thread-safe) to share a few between threads. The\n")
                .addJavadoc("{@code ExecutionConfig} constructor chooses LATENCY (large int8 layers split over threads).\n");
        type.addField(FieldSpec.builder(String.class, "MODEL_SHA256", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("SHA-256 of the model's .xml followed by its .bin, as read at build time.\n")
                .initializer("$S", modelSha256).build());
        type.addField(FieldSpec.builder(TypeName.LONG, "WEIGHTS_BYTES", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Length of the weights resource {@code $L}.\n", resource)
                .initializer("$LL", blob.length).build());
        type.addField(FieldSpec.builder(String.class, "WEIGHTS_SHA256", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("SHA-256 of the weights resource, checked when the class initializes (a stale resource is\n")
                .addJavadoc("refused); with {@link #WEIGHTS_BYTES}, what a tool reading that resource itself checks.\n")
                .initializer("$S", blobSha).build());
        type.addField(FieldSpec.builder(SPECS, "INPUTS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(specs(plan.inputs(), true)).build());
        type.addField(FieldSpec.builder(SPECS, "OUTPUTS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer(specs(plan.outputs(), false)).build());
        type.addField(FieldSpec.builder(ArrayTypeName.of(FLOATS), "W", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Every constant a layer reads, from {@code $L}, hash-checked.\n", resource)
                .initializer("$T.open($T.class, $S, WEIGHTS_BYTES, WEIGHTS_SHA256).readAll()", WEIGHT_BLOB, generated,
                        resource)
                .build());
        state.intConstants().forEach((name, csv) -> type.addField(
                FieldSpec.builder(int[].class, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$T.ints($S)", LITERALS, csv).build()));
        state.staticFields().forEach(type::addField); // after W and the int constants they may read
        state.staticInitMethods().forEach(type::addMethod);
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Single-threaded: every layer runs on the calling thread.\n")
                .addStatement("this($T.singleThread())", EXECUTION_CONFIG).build());
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addParameter(EXECUTION_CONFIG, CONFIG_PARAMETER)
                .addJavadoc("Allocates this instance's scratch buffers (the memory plan, with a tile slot per thread for the\n")
                .addJavadoc("int8 kernels); with {@code ExecutionConfig.latency(n)} the large convolutions and int8 fully\n")
                .addJavadoc("connected layers run split over its pool, bit-identical to one thread; the other layers run\n")
                .addJavadoc("on the calling thread.\n")
                .addStatement("this.$N = $T.requireNonNull($N, $S).parallel()", PARALLEL_FIELD, java.util.Objects.class,
                        CONFIG_PARAMETER, "config (use ExecutionConfig.singleThread() for one thread)");
        type.addField(PARALLEL, PARALLEL_FIELD, Modifier.PRIVATE, Modifier.FINAL);
        int[] sizes = plan.bufferSizes();
        for (int b = 0; b < sizes.length; b++) {
            type.addField(FLOATS, "b" + b, Modifier.PRIVATE, Modifier.FINAL);
            ctor.addStatement("this.b$L = new float[$L]", b, sizes[b]);
        }
        type.addField(ArrayTypeName.of(TypeName.DOUBLE), "acc", Modifier.PRIVATE, Modifier.FINAL);
        ctor.addStatement("this.acc = new double[$L]", state.accDoubles());
        state.instanceFields().forEach(type::addField);
        state.instanceInits().forEach((name, init) -> ctor.addStatement("this.$N = $L", name, init));
        for (int i = 0; i < plan.inputs().size(); i++) {
            type.addField(FLOATS, "input" + i, Modifier.PRIVATE);
        }
        type.addMethod(ctor.build());
        type.addMethod(MethodSpec.methodBuilder("inputs").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(SPECS).addStatement("return INPUTS").build());
        type.addMethod(MethodSpec.methodBuilder("outputs").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(SPECS).addStatement("return OUTPUTS").build());
        type.addField(FieldSpec.builder(ArrayTypeName.of(FLOATS), "outputSlots", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("The caller's output arrays during one infer(inputs, outputs) call, null otherwise.\n")
                .initializer("new float[$L][]", plan.outputs().size()).build());
        type.addMethod(inferByName(plan));
        type.addMethod(inferIntoByName(plan));
        type.addMethod(newOutputs(plan));
        for (TypedMethod t : typed) {
            type.addMethod(typedMethod(t));
        }
        String timedRun = profiling ? ProfilingWriter.addTo(type, layers, reports, executedMacs) : null;
        addRunMethods(type, plan, layers, timedRun);
        layers.forEach(type::addMethod);
        JavaFile file = JavaFile.builder(generated.packageName(), type.build())
                .addFileComment("Generated by $L from $L. Do not edit.", processor, modelLabel)
                .skipJavaLangImports(true)
                .build();
        return new GeneratedModel(file, resource, blob, List.copyOf(reports));
    }

    private static String inputsText(ModelPlan plan, Node n) {
        List<String> in = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            Node p = plan.graph().node(n.input(i).node());
            in.add((p.is("Const") ? "const " : "") + plan.graph().port(n.input(i)) + " from '" + p.name() + "'");
        }
        return in.toString();
    }

    static String layerMethodName(Node n) {
        StringBuilder sb = new StringBuilder("layer").append(n.id()).append('_');
        String name = n.name();
        for (int i = 0; i < name.length() && sb.length() < 48; i++) {
            char ch = name.charAt(i);
            sb.append(Character.isLetterOrDigit(ch) && ch < 128 ? ch : '_');
        }
        return sb.toString();
    }

    private static CodeBlock specs(List<Node> nodes, boolean inputs) {
        CodeBlock.Builder b = CodeBlock.builder().add("$T.of(", List.class);
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            var port = inputs ? n.output(0) : n.inputPorts().isEmpty() ? null : n.inputPorts().get(0);
            int[] shape = port.shape();
            String csv = Arrays.toString(shape).replaceAll("[\\[\\] ]", "");
            b.add("$L\n    new $T($S, $T.ints($S), $S)", i == 0 ? "" : ",", TENSOR_SPEC,
                    inputs ? Signature.inputName(n) : Signature.outputName(n), LITERALS, csv, port.type().irName());
        }
        return b.add(")").build();
    }

    private static MethodSpec inferByName(ModelPlan plan) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("infer").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(TENSOR_MAP).addParameter(TENSOR_MAP, "inputs")
                .addStatement("$T.checkNames(inputs, INPUTS)", MODEL_INPUTS);
        m.addStatement("float[][] out = lowbitNewOutputs()");
        m.addStatement("lowbitRun(out, $L)", inputsByName(plan));
        m.addStatement("$T result = new $T<>()", TENSOR_MAP, java.util.LinkedHashMap.class);
        for (int i = 0; i < plan.outputs().size(); i++) {
            m.addStatement("result.put(OUTPUTS.get($L).name(), out[$L])", i, i);
        }
        return m.addStatement("return result").build();
    }

    /** infer(inputs, outputs): the caller's output arrays go into a slot array the instance keeps, so nothing is allocated. */
    private static MethodSpec inferIntoByName(ModelPlan plan) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("infer").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).addParameter(TENSOR_MAP, "inputs").addParameter(TENSOR_MAP, "outputs")
                .addStatement("$T.checkNames(inputs, INPUTS)", MODEL_INPUTS)
                .addStatement("$T.checkOutputNames(outputs, OUTPUTS)", MODEL_INPUTS);
        for (int i = 0; i < plan.outputs().size(); i++) {
            m.addStatement("outputSlots[$L] = $T.getOutput(outputs, OUTPUTS.get($L))", i, MODEL_INPUTS, i);
        }
        m.beginControlFlow("try")
                .addStatement("lowbitRun(outputSlots, $L)", inputsByName(plan))
                .nextControlFlow("finally")
                .addStatement("$T.fill(outputSlots, null)", Arrays.class) // the instance keeps no caller array
                .endControlFlow();
        return m.build();
    }

    private static CodeBlock inputsByName(ModelPlan plan) {
        List<CodeBlock> args = new ArrayList<>();
        for (int i = 0; i < plan.inputs().size(); i++) {
            args.add(CodeBlock.of("$T.get(inputs, INPUTS.get($L))", MODEL_INPUTS, i));
        }
        return CodeBlock.join(args, ", ");
    }

    /** A fresh array per output, of the output's size: what infer(inputs) and the typed methods return. */
    private static MethodSpec newOutputs(ModelPlan plan) {
        List<CodeBlock> arrays = new ArrayList<>();
        for (Node r : plan.outputs()) {
            arrays.add(CodeBlock.of("new float[$L]", plan.graph().port(r.input(0)).size()));
        }
        return MethodSpec.methodBuilder("lowbitNewOutputs").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(ArrayTypeName.of(FLOATS))
                .addStatement("return new float[][] {$L}", CodeBlock.join(arrays, ", ")).build();
    }

    private static MethodSpec typedMethod(TypedMethod t) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(t.name()).addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(t.record() == null ? FLOATS : t.record());
        CodeBlock[] args = new CodeBlock[t.parameterNames().size()];
        for (int p = 0; p < args.length; p++) {
            m.addParameter(FLOATS, t.parameterNames().get(p));
            args[t.inputOfParameter().get(p)] = CodeBlock.of("$T.check($N, INPUTS.get($L))", MODEL_INPUTS,
                    t.parameterNames().get(p), t.inputOfParameter().get(p));
        }
        m.addStatement("float[][] out = lowbitNewOutputs()");
        m.addStatement("lowbitRun(out, $L)", CodeBlock.join(Arrays.asList(args), ", "));
        if (t.record() == null) {
            return m.addStatement("return out[$L]", t.singleOutput()).build();
        }
        List<CodeBlock> parts = t.outputOfComponent().stream().map(i -> CodeBlock.of("out[$L]", i)).toList();
        return m.addStatement("return new $T($L)", t.record(), CodeBlock.join(parts, ", ")).build();
    }

    /** @param timedRun the method running every layer timed, chosen when profiling is enabled; null without profiling */
    private static void addRunMethods(TypeSpec.Builder type, ModelPlan plan, List<MethodSpec> layers, String timedRun) {
        MethodSpec.Builder run = MethodSpec.methodBuilder("lowbitRun").addModifiers(Modifier.PRIVATE)
                .addParameter(ArrayTypeName.of(FLOATS), "outputs")
                .addJavadoc("Runs every layer on checked inputs and copies output i into {@code outputs[i]} (checked sizes).\n");
        for (int i = 0; i < plan.inputs().size(); i++) {
            run.addParameter(FLOATS, "input" + i);
            run.addStatement("this.input$L = input$L", i, i);
        }
        run.beginControlFlow("try");
        if (timedRun != null) { // the one check an un-profiled inference pays; no per-layer code on this path
            run.beginControlFlow("if ($N.enabled())", ProfilingWriter.FIELD).addStatement("$N()", timedRun)
                    .nextControlFlow("else");
        }
        for (int chunk = 0; chunk * CALLS_PER_RUN_METHOD < Math.max(layers.size(), 1); chunk++) {
            MethodSpec.Builder part = MethodSpec.methodBuilder("lowbitLayers" + chunk).addModifiers(Modifier.PRIVATE);
            for (int i = chunk * CALLS_PER_RUN_METHOD; i < Math.min(layers.size(), (chunk + 1) * CALLS_PER_RUN_METHOD); i++) {
                part.addStatement("$N()", layers.get(i));
            }
            type.addMethod(part.build());
            run.addStatement("lowbitLayers$L()", chunk);
        }
        if (timedRun != null) {
            run.endControlFlow();
        }
        for (int i = 0; i < plan.outputs().size(); i++) {
            Node r = plan.outputs().get(i);
            CodeBlock src = switch (plan.storageOf(r.input(0))) {
                case dev.lowbit.plan.Storage.Input in -> CodeBlock.of("input$L", in.index());
                case dev.lowbit.plan.Storage.Scratch s -> CodeBlock.of("this.b$L", s.buffer());
                case dev.lowbit.plan.Storage.Constant c -> throw new dev.lowbit.ir.IrException(r,
                        "the output is a constant; a model whose output does not depend on its inputs is not supported");
            };
            run.addStatement("$T.arraycopy($L, 0, outputs[$L], 0, $L)", System.class, src, i,
                    plan.graph().port(r.input(0)).size());
        }
        run.nextControlFlow("finally");
        for (int i = 0; i < plan.inputs().size(); i++) {
            run.addStatement("this.input$L = null", i);
        }
        run.endControlFlow();
        type.addMethod(run.build());
    }

    /** The weights blob: count, lengths, then floats, all little-endian 4-byte values. */
    private static byte[] blob(List<ClassState.BlobEntry> entries) {
        long floats = 0;
        for (ClassState.BlobEntry e : entries) {
            floats += e.tensor().size();
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(4L * (1 + entries.size() + floats))).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(entries.size());
        for (ClassState.BlobEntry e : entries) {
            b.putInt(e.tensor().size());
        }
        for (ClassState.BlobEntry e : entries) {
            for (int i = 0; i < e.tensor().size(); i++) {
                b.putFloat((float) e.tensor().get(i));
            }
        }
        return b.array();
    }
}
