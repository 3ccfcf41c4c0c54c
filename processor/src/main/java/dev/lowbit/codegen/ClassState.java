package dev.lowbit.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeName;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the layers of one generated class share, collected while they are emitted: the constants that go to
 * the weights blob (each once, in first-use order), integer constants and per-instance fields. Not
 * thread-safe: one per generated class.
 */
final class ClassState {
    /** One array of the weights blob. */
    record BlobEntry(ValueRef value, Node producer, Tensor tensor) {}

    private final Map<ValueRef, Integer> constantIndex = new LinkedHashMap<>();
    private final List<BlobEntry> blob = new ArrayList<>();
    private final Map<String, String> intConstants = new LinkedHashMap<>(); // name -> csv
    private final List<FieldSpec> instanceFields = new ArrayList<>();
    private final Map<String, CodeBlock> instanceInits = new LinkedHashMap<>();
    private final List<FieldSpec> staticFields = new ArrayList<>();
    private final List<com.palantir.javapoet.MethodSpec> staticInitMethods = new ArrayList<>();
    private int accDoubles;
    private int floatScratch = -1;
    private int floatScratchPerWorker;

    /** An array of the weights blob that is not an IR constant (packed int8 weights, epilogue constants). */
    int derivedConstant(Tensor t) {
        blob.add(new BlobEntry(null, null, t));
        return blob.size() - 1;
    }

    /**
     * A private static final field initialized after the weights blob {@code W} by a static method of its own, so
     * the class initializer stays a short list of calls however many such fields there are (8000-byte limit).
     */
    String staticField(TypeName type, String name, CodeBlock init) {
        String method = "init" + name;
        staticInitMethods.add(com.palantir.javapoet.MethodSpec.methodBuilder(method)
                .addModifiers(javax.lang.model.element.Modifier.PRIVATE, javax.lang.model.element.Modifier.STATIC)
                .returns(type).addStatement("return $L", init).build());
        staticFields.add(FieldSpec.builder(type, name, javax.lang.model.element.Modifier.PRIVATE,
                javax.lang.model.element.Modifier.STATIC, javax.lang.model.element.Modifier.FINAL)
                .initializer("$N()", method).build());
        return name;
    }

    List<FieldSpec> staticFields() {
        return staticFields;
    }

    List<com.palantir.javapoet.MethodSpec> staticInitMethods() {
        return staticInitMethods;
    }

    int constant(ValueRef value, Node producer) {
        return constantIndex.computeIfAbsent(value, v -> {
            blob.add(new BlobEntry(v, producer, producer.constant()));
            return blob.size() - 1;
        });
    }

    String intConstant(String name, int[] values) {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            csv.append(i == 0 ? "" : ",").append(values[i]);
        }
        String n = name.toUpperCase(java.util.Locale.ROOT);
        intConstants.put(n, csv.toString());
        return n;
    }

    String instanceField(TypeName type, String name, CodeBlock init) {
        instanceFields.add(FieldSpec.builder(type, name, javax.lang.model.element.Modifier.PRIVATE,
                javax.lang.model.element.Modifier.FINAL).build());
        instanceInits.put(name, init);
        return name;
    }

    /**
     * The per-instance float scratch the fast fp32 kernels share (one layer runs at a time), created on first
     * use; sized by an int constant that later layers raise, so one array serves every layer. Returns its field.
     */
    String floatScratch(int floats) {
        return floatScratch(floats, 0);
    }

    /**
     * As {@link #floatScratch(int)} for a kernel that also needs {@code perWorker} floats of its own on each thread
     * of the instance's ExecutionConfig (Winograd's blocks of tiles): the array holds the largest shared part plus
     * the threads times the largest per-worker part, which covers every layer's shared part plus its workers'.
     */
    String floatScratch(int floats, int perWorker) {
        boolean first = floatScratch < 0;
        floatScratch = Math.max(floatScratch, floats);
        floatScratchPerWorker = Math.max(floatScratchPerWorker, perWorker);
        String size = intConstant("f32_scratch_size", new int[] {floatScratch, floatScratchPerWorker});
        if (first) {
            instanceField(com.palantir.javapoet.ArrayTypeName.of(TypeName.FLOAT), "fscratch",
                    CodeBlock.of("new float[$N[0] + $N[1] * $N.threads()]", size, size, ModelClassWriter.CONFIG_PARAMETER));
        }
        return "fscratch";
    }

    void needAcc(int doubles) {
        accDoubles = Math.max(accDoubles, doubles);
    }

    List<BlobEntry> blob() {
        return blob;
    }

    Map<String, String> intConstants() {
        return intConstants;
    }

    List<FieldSpec> instanceFields() {
        return instanceFields;
    }

    Map<String, CodeBlock> instanceInits() {
        return instanceInits;
    }

    int accDoubles() {
        return accDoubles;
    }
}
