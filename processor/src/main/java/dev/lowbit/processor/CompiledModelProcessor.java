package dev.lowbit.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.ClassName;
import dev.lowbit.CompiledModel;
import dev.lowbit.codegen.GeneratedModel;
import dev.lowbit.graph.Graph;
import dev.lowbit.ir.IrException;
import dev.lowbit.codegen.Emitters;
import dev.lowbit.codegen.Int8Emitters;
import dev.lowbit.plan.ModelPlan;
import dev.lowbit.report.BuildReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Generates {@code <Interface>Model} for every interface annotated with {@link CompiledModel}: locate the
 * model, read, transform, plan, match typed methods, emit, report. Each stage is a class of its own; this
 * class only wires them to javac and turns every failure into an error on the element that caused it.
 * Options: {@code -Alowbit.modelDir=<dir>} (where model paths resolve), {@code -Alowbit.dump=true} (print
 * each model's plan as a NOTE), {@code -Alowbit.precision=fp32} (compile an INT8 IR on the fp32 path, FakeQuantize
 * literal; the default {@code int8} runs what the low-precision transformations lower in int8 kernels), overridden
 * per interface by {@code @CompiledModel(precision = "fp32")}. Not thread-safe (javac drives it from one thread).
 */
@AutoService(Processor.class)
@SupportedAnnotationTypes("dev.lowbit.CompiledModel")
@SupportedOptions({"lowbit.modelDir", "lowbit.dump", "lowbit.precision"})
public final class CompiledModelProcessor extends AbstractProcessor {
    private final Map<String, Element> generatedBy = new HashMap<>();
    private final ModelPipeline pipeline = new ModelPipeline();

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        for (Element e : round.getElementsAnnotatedWith(CompiledModel.class)) {
            AnnotationMirror mirror = mirror(e);
            try {
                generate(e, mirror);
            } catch (IrException ex) {
                error(e, mirror, "lowbit: " + ex.getMessage());
            } catch (RuntimeException | LinkageError | AssertionError ex) {
                StringWriter trace = new StringWriter();
                ex.printStackTrace(new PrintWriter(trace));
                error(e, mirror, "lowbit: unexpected failure while compiling the model of " + e + ": " + ex + "\n" + trace);
            }
        }
        return true;
    }

    private void generate(Element e, AnnotationMirror mirror) {
        if (e.getKind() != ElementKind.INTERFACE) {
            error(e, mirror, "lowbit: @CompiledModel goes on an interface; " + e.getSimpleName() + " is "
                    + article(e.getKind()) + ". Declare an interface, and " + e.getSimpleName()
                    + "Model will implement it");
            return;
        }
        TypeElement api = (TypeElement) e;
        ClassName apiName = ClassName.get(api);
        ClassName generated = ClassName.get(apiName.packageName(), String.join("_", apiName.simpleNames()) + "Model");
        Element earlier = generatedBy.putIfAbsent(generated.canonicalName(), e);
        if (earlier != null && !earlier.equals(e)) {
            error(e, mirror, "lowbit: two @CompiledModel interfaces generate the same class " + generated.canonicalName()
                    + ": " + earlier + " and " + e + "; rename one of them");
            return;
        }
        String value = e.getAnnotation(CompiledModel.class).value();
        ModelLocator.Result located = new ModelLocator().locate(value, option("lowbit.modelDir").map(Path::of),
                classOutput(), this::onClassPath);
        if (located.xml().isEmpty()) {
            error(e, mirror, "lowbit: model '" + value + "' not found. Looked in:\n  "
                    + String.join("\n  ", located.tried()));
            return;
        }
        long start = System.nanoTime();
        Path xml = located.xml().get();
        Graph graph = pipeline.read(xml);
        Graph folded = pipeline.transform(graph);
        String attribute = e.getAnnotation(CompiledModel.class).precision();
        String precision = !attribute.isBlank() ? attribute : option("lowbit.precision").orElse("int8");
        if (!precision.equalsIgnoreCase("fp32") && !precision.equalsIgnoreCase("int8")) {
            error(e, mirror, "lowbit: precision must be int8 (the default) or fp32, not '" + precision + "' (from "
                    + (attribute.isBlank() ? "option -Alowbit.precision" : "@CompiledModel(precision)") + ")");
            return;
        }
        boolean forceFp32 = precision.equalsIgnoreCase("fp32");
        Emitters emitters = pipeline.emittersFor(graph, forceFp32, e.getAnnotation(CompiledModel.class).exactInt8());
        ModelPlan plan = pipeline.plan(folded, emitters);
        if (option("lowbit.dump").map(Boolean::parseBoolean).orElse(false)) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.NOTE, plan.toString(), e);
        }
        TypedMethodMatcher.Result typed = new TypedMethodMatcher(processingEnv.getElementUtils())
                .match(api, ModelPipeline.inputSpecs(folded), ModelPipeline.outputSpecs(folded));
        for (TypedMethodMatcher.Mismatch m : typed.mismatches()) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "lowbit: " + m.message(), m.method());
        }
        if (!typed.mismatches().isEmpty()) {
            return;
        }
        String sha = ModelPipeline.modelSha256(xml);
        GeneratedModel out = pipeline.emit(plan, emitters, generated, apiName, typed.methods(), value, sha,
                e.getAnnotation(CompiledModel.class).profiling());
        BuildReport report = new BuildReport(api.getQualifiedName().toString(), value, sha, out.weights().length,
                plan.scratchFloats(), (System.nanoTime() - start) / 1_000_000, out.layers());
        write(e, generated, out, report);
        String note = report.note();
        if (emitters instanceof Int8Emitters int8) {
            note += "\n" + Int8Note.of(int8, out.layers());
        }
        processingEnv.getMessager().printMessage(Diagnostic.Kind.NOTE, note, e);
    }

    private void write(Element e, ClassName generated, GeneratedModel out, BuildReport report) {
        var filer = processingEnv.getFiler();
        try {
            try (Writer w = filer.createSourceFile(generated.canonicalName(), e).openWriter()) {
                out.javaFile().writeTo(w);
            }
            try (OutputStream o = filer.createResource(StandardLocation.CLASS_OUTPUT, generated.packageName(),
                    out.weightsResource(), e).openOutputStream()) {
                o.write(out.weights());
            }
            try (Writer w = filer.createResource(StandardLocation.CLASS_OUTPUT, "",
                    "META-INF/lowbit/" + report.interfaceName() + ".json", e).openWriter()) {
                w.write(report.json());
            }
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException("cannot write the generated files of " + generated, ex);
        }
    }

    private Optional<String> option(String key) {
        return Optional.ofNullable(processingEnv.getOptions().get(key)).filter(s -> !s.isBlank());
    }

    /** The class output directory when it is a local directory (it is not, e.g., in in-memory compilations). */
    private Optional<Path> classOutput() {
        try {
            FileObject probe = processingEnv.getFiler().getResource(StandardLocation.CLASS_OUTPUT, "", "lowbit-probe");
            URI uri = probe.toUri();
            return "file".equals(uri.getScheme()) ? Optional.of(Path.of(uri).getParent()) : Optional.empty();
        } catch (IOException | IllegalArgumentException ex) {
            return Optional.empty();
        }
    }

    private Optional<Path> onClassPath(String value) throws IOException {
        for (StandardLocation loc : List.of(StandardLocation.CLASS_PATH, StandardLocation.SOURCE_PATH)) {
            FileObject xml;
            try {
                xml = processingEnv.getFiler().getResource(loc, "", value);
                try (InputStream probe = xml.openInputStream()) {
                    probe.read();
                }
            } catch (IOException | IllegalArgumentException ex) {
                continue;
            }
            URI uri = xml.toUri();
            if ("file".equals(uri.getScheme())) {
                return Optional.of(Path.of(uri));
            }
            String bin = value.replaceAll("\\.xml$", "") + ".bin";
            try (InputStream x = xml.openInputStream();
                    InputStream b = processingEnv.getFiler().getResource(loc, "", bin).openInputStream()) {
                return Optional.of(ModelLocator.copyToTemp(value, x, b));
            }
        }
        return Optional.empty();
    }

    private static String article(ElementKind kind) {
        String k = kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return (k.startsWith("a") || k.startsWith("e") || k.startsWith("i") ? "an " : "a ") + k;
    }

    private static AnnotationMirror mirror(Element e) {
        for (AnnotationMirror m : e.getAnnotationMirrors()) {
            if (m.getAnnotationType().toString().equals(CompiledModel.class.getName())) {
                return m;
            }
        }
        return null;
    }

    private void error(Element e, AnnotationMirror mirror, String message) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, e, mirror);
    }
}
