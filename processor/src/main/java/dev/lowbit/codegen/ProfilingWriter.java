package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Adds {@code dev.lowbit.runtime.Profiled} to a generated model class: one {@code ProfileRecorder} field, timed
 * copies of the run methods (each layer call followed by {@code ProfileRecorder.lap}), the layers' build-time
 * description as string constants, and the four interface methods. The un-timed run methods stay as they are:
 * {@link ModelClassWriter} only chooses between the two once per inference. Stateless.
 */
final class ProfilingWriter {
    static final String FIELD = "lowbitProfile";
    private static final ClassName PROFILED = ClassName.get("dev.lowbit.runtime", "Profiled");
    private static final ClassName RECORDER = ClassName.get("dev.lowbit.runtime", "ProfileRecorder");
    private static final ClassName LAYER_TABLE = ClassName.get("dev.lowbit.runtime", "LayerTable");
    private static final ClassName INFO = ClassName.get("dev.lowbit.runtime", "ProfilingInfo");
    /**
     * Timed layer calls per method: about 13 bytes of bytecode each (the call, then load slots, push the index,
     * load and store the time around the static lap call), so 200 stay near 2,600 bytes, far below 8000.
     */
    static final int CALLS_PER_TIMED_METHOD = 200;
    /** UTF-8 bytes per string constant of the layer table: a class file constant holds at most 65,535. */
    private static final int TABLE_CHUNK_BYTES = 32_000;

    private ProfilingWriter() {}

    /**
     * Adds the field, the interface, its methods and the timed run methods for {@code layers} (in execution order,
     * described by {@code reports}, with the MACs each one's method performs); returns the name of the method that
     * runs every layer timed.
     */
    static String addTo(TypeSpec.Builder type, List<MethodSpec> layers, List<LayerReport> reports,
            List<Long> executedMacs) {
        type.addSuperinterface(PROFILED)
                .addJavadoc("\n<p>Per-layer times ({@link $T}) are recorded only after {@code enableProfiling(true)};\n",
                        PROFILED)
                .addJavadoc("until then an inference runs the same un-timed layer calls, after one check.\n");
        type.addField(FieldSpec.builder(RECORDER, FIELD, Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("This instance's layer times; off until enabled.\n")
                .initializer("new $T($L)", RECORDER, layers.size()).build());
        type.addMethod(api("enableProfiling", TypeName.VOID).addParameter(TypeName.BOOLEAN, "enabled")
                .addStatement("$N.enable(enabled)", FIELD).build());
        type.addMethod(api("profilingEnabled", TypeName.BOOLEAN).addStatement("return $N.enabled()", FIELD).build());
        type.addMethod(api("profilingInfo", INFO).addStatement("return $N.info(lowbitLayerTable())", FIELD).build());
        type.addMethod(api("resetProfiling", TypeName.VOID).addStatement("$N.reset()", FIELD).build());
        type.addMethod(layerTable(reports, executedMacs));
        MethodSpec.Builder all = MethodSpec.methodBuilder("lowbitTimedLayers").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Runs every layer, adding each one's time to $N.\n", FIELD)
                .addStatement("long[] slots = $N.slots()", FIELD)
                .addStatement("long t = System.nanoTime()");
        for (int chunk = 0; chunk * CALLS_PER_TIMED_METHOD < layers.size(); chunk++) {
            MethodSpec.Builder part = MethodSpec.methodBuilder("lowbitTimedLayers" + chunk)
                    .addModifiers(Modifier.PRIVATE).returns(TypeName.LONG)
                    .addParameter(long[].class, "slots").addParameter(TypeName.LONG, "t");
            for (int i = chunk * CALLS_PER_TIMED_METHOD; i < Math.min(layers.size(), (chunk + 1) * CALLS_PER_TIMED_METHOD); i++) {
                part.addStatement("$N()", layers.get(i));
                part.addStatement("t = $T.lap(slots, $L, t)", RECORDER, i);
            }
            type.addMethod(part.addStatement("return t").build());
            all.addStatement("t = lowbitTimedLayers$L(slots, t)", chunk);
        }
        type.addMethod(all.build());
        return "lowbitTimedLayers";
    }

    private static MethodSpec.Builder api(String name, TypeName returns) {
        return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(returns);
    }

    /**
     * The layers as {@code LayerTable} lines in string constants of bounded size, joined only when asked: no static
     * initializer work, and no bytecode per layer.
     */
    private static MethodSpec layerTable(List<LayerReport> reports, List<Long> executedMacs) {
        List<CodeBlock> chunks = new ArrayList<>();
        StringBuilder chunk = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < reports.size(); i++) {
            LayerReport r = reports.get(i);
            String line = dev.lowbit.runtime.LayerTable.line(r.id(), r.name(), r.type(), r.precision(), r.kernel(),
                    executedMacs.get(i));
            int lineBytes = line.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + lineBytes > TABLE_CHUNK_BYTES && !chunk.isEmpty()) {
                chunks.add(CodeBlock.of("$S", chunk.toString()));
                chunk.setLength(0);
                bytes = 0;
            }
            chunk.append(line);
            bytes += lineBytes;
        }
        chunks.add(CodeBlock.of("$S", chunk.toString()));
        return MethodSpec.methodBuilder("lowbitLayerTable").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(String.class)
                .addJavadoc("Every layer in execution order, in {@link $T} form (id, name, type, precision, kernel, MACs).\n",
                        LAYER_TABLE)
                .addStatement("return $T.join($S, $L)", String.class, "", CodeBlock.join(chunks, ",\n"))
                .build();
    }
}
