package dev.lowbit.processor;

import com.palantir.javapoet.ClassName;
import dev.lowbit.codegen.Emitters;
import dev.lowbit.codegen.GeneratedModel;
import dev.lowbit.codegen.Int8Emitters;
import dev.lowbit.codegen.ModelClassWriter;
import dev.lowbit.codegen.TypedMethod;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.ir.IrReader;
import dev.lowbit.plan.ModelPlan;
import dev.lowbit.plan.Planner;
import dev.lowbit.reference.DeclaredShapes;
import dev.lowbit.reference.DeclaredTypes;
import dev.lowbit.runtime.TensorSpec;
import dev.lowbit.transform.ConstantFolding;
import dev.lowbit.transform.lpt.LowPrecisionPipeline;
import java.nio.file.Path;
import java.util.List;

/**
 * The build stages of one model after its path is known, each usable on its own (tests run them without
 * javac): read the IR, transform (constant folding), plan, emit. Errors are {@link dev.lowbit.ir.IrException}s
 * naming the file and layer. Stateless, thread-safe.
 */
public final class ModelPipeline {
    public static final String PROCESSOR = "dev.lowbit.processor.CompiledModelProcessor";

    private final Emitters emitters = new Emitters();

    /**
     * The IR, with every checked layer's declared output shape and element type confirmed by its op's rules
     * ({@link DeclaredShapes}, {@link DeclaredTypes}).
     */
    public Graph read(Path xml) {
        Graph graph = new IrReader().read(xml);
        DeclaredShapes.check(graph);
        DeclaredTypes.check(graph);
        return graph;
    }

    /**
     * Constant subgraphs folded; the declared shapes checked again, now that operands computed by a subgraph (the
     * axes of a global ReduceMean built by Range) are Consts.
     */
    public Graph transform(Graph graph) {
        Graph folded = new ConstantFolding().fold(graph);
        DeclaredShapes.check(folded);
        return folded;
    }

    public ModelPlan plan(Graph folded) {
        return new Planner(emitters).plan(folded);
    }

    /**
     * The emitters of one model: on the int8 path (an IR with FakeQuantize, unless {@code forceFp32}) a fresh
     * {@link Int8Emitters} over the low-precision lowering of the raw (unfolded) graph, else the fp32 emitters.
     *
     * @param exactInt8 {@code @CompiledModel(exactInt8)}: every int8 layer with exact integer sums
     */
    public Emitters emittersFor(Graph raw, boolean forceFp32, boolean exactInt8) {
        boolean quantized = raw.nodes().stream().anyMatch(n -> n.is("FakeQuantize"));
        if (forceFp32 || !quantized) {
            return emitters;
        }
        return new Int8Emitters(LowPrecisionPipeline.forGeneratedKernels(l -> Int8Emitters.carriesBorderTerm(l, exactInt8))
                .lower(raw), exactInt8);
    }

    public ModelPlan plan(Graph folded, Emitters modelEmitters) {
        return new Planner(modelEmitters).plan(folded);
    }

    /** @param profiling whether the class implements {@code Profiled} ({@code @CompiledModel(profiling)}) */
    public GeneratedModel emit(ModelPlan plan, Emitters modelEmitters, ClassName generated, ClassName api,
            List<TypedMethod> typed, String modelLabel, String modelSha256, boolean profiling) {
        return new ModelClassWriter(modelEmitters, profiling).write(plan, generated, api, typed, modelLabel, modelSha256, PROCESSOR);
    }

    public GeneratedModel emit(ModelPlan plan, ClassName generated, ClassName api, List<TypedMethod> typed,
            String modelLabel, String modelSha256) {
        return new ModelClassWriter(emitters).write(plan, generated, api, typed, modelLabel, modelSha256, PROCESSOR);
    }

    public static List<TensorSpec> inputSpecs(Graph g) {
        return g.parameters().stream().map(p -> new TensorSpec(Signature.inputName(p), p.output(0).shape(),
                p.output(0).type().irName())).toList();
    }

    public static List<TensorSpec> outputSpecs(Graph g) {
        return g.results().stream().map(ModelPipeline::outputSpec).toList();
    }

    private static TensorSpec outputSpec(Node r) {
        var port = r.inputPorts().get(0);
        return new TensorSpec(Signature.outputName(r), port.shape(), port.type().irName());
    }

    /** SHA-256 over the .xml bytes followed by the .bin bytes, as {@link dev.lowbit.runtime.ModelHash} defines it. */
    public static String modelSha256(Path xml) {
        return dev.lowbit.runtime.ModelHash.sha256(xml);
    }
}
