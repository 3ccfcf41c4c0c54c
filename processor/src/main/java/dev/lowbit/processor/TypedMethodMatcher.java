package dev.lowbit.processor;

import com.palantir.javapoet.ClassName;
import dev.lowbit.codegen.TypedMethod;
import dev.lowbit.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Matches the abstract methods of an annotated interface to the model. Parameters are {@code float[]}; with
 * one model input the single parameter binds whatever its name, otherwise each parameter binds to the input
 * it is named after ({@link JavaNames}). The return type is {@code float[]} for a model with one output, or a
 * record whose {@code float[]} components are named after outputs. Methods InferenceModel declares are
 * implemented anyway and skipped here. Stateless apart from {@link Elements}; not thread-safe (javac's
 * model is not).
 */
final class TypedMethodMatcher {
    /** A method that does not match, with the reason. */
    record Mismatch(ExecutableElement method, String message) {}

    /** The matched methods and the mismatches. */
    record Result(List<TypedMethod> methods, List<Mismatch> mismatches) {}

    private final Elements elements;

    TypedMethodMatcher(Elements elements) {
        this.elements = elements;
    }

    Result match(TypeElement api, List<TensorSpec> inputs, List<TensorSpec> outputs) {
        List<TypedMethod> ok = new ArrayList<>();
        List<Mismatch> bad = new ArrayList<>();
        for (ExecutableElement m : ElementFilter.methodsIn(elements.getAllMembers(api))) {
            if (!m.getModifiers().contains(Modifier.ABSTRACT) || isInferenceModelMethod(m)
                    || m.getEnclosingElement().getKind() != ElementKind.INTERFACE) {
                continue;
            }
            String why = check(m, inputs, outputs, ok);
            if (why != null) {
                bad.add(new Mismatch(m, "method " + describe(m) + " does not match the model: " + why
                        + ". The model has inputs " + inputs + " and outputs " + outputs + "; typed methods take "
                        + "float[] parameters named after inputs (Java names " + javaNames(inputs) + ") and return "
                        + "float[] (one output) or a record with float[] components named after outputs (Java names "
                        + javaNames(outputs) + ")"));
            }
        }
        return new Result(ok, bad);
    }

    private static boolean isInferenceModelMethod(ExecutableElement m) {
        String name = m.getSimpleName().toString();
        int params = m.getParameters().size();
        return ((name.equals("inputs") || name.equals("outputs")) && params == 0)
                || (name.equals("infer") && params == 1 && m.getParameters().get(0).asType().getKind() == TypeKind.DECLARED);
    }

    /** Null when {@code m} matches (and is added to {@code ok}), else why not. */
    private String check(ExecutableElement m, List<TensorSpec> inputs, List<TensorSpec> outputs, List<TypedMethod> ok) {
        if (!m.getTypeParameters().isEmpty()) {
            return "it is generic";
        }
        List<? extends VariableElement> params = m.getParameters();
        if (params.size() != inputs.size()) {
            return "it has " + params.size() + " parameter(s), the model " + inputs.size() + " input(s)";
        }
        List<String> names = new ArrayList<>();
        List<Integer> bind = new ArrayList<>();
        for (VariableElement p : params) {
            if (!isFloatArray(p.asType())) {
                return "parameter '" + p.getSimpleName() + "' is " + p.asType() + ", not float[]";
            }
            String n = p.getSimpleName().toString();
            int idx = inputs.size() == 1 ? 0 : indexOf(inputs, n);
            if (idx < 0) {
                return "parameter '" + n + "' names no input";
            }
            if (bind.contains(idx)) {
                return "two parameters bind to input '" + inputs.get(idx).name() + "'";
            }
            names.add(n);
            bind.add(idx);
        }
        TypeMirror ret = m.getReturnType();
        String name = m.getSimpleName().toString();
        if (isFloatArray(ret)) {
            if (outputs.size() != 1) {
                return "it returns float[] but the model has " + outputs.size() + " outputs; return a record";
            }
            ok.add(new TypedMethod(name, names, bind, null, null, 0));
            return null;
        }
        if (ret.getKind() == TypeKind.DECLARED
                && ((DeclaredType) ret).asElement().getKind() == ElementKind.RECORD) {
            TypeElement rec = (TypeElement) ((DeclaredType) ret).asElement();
            List<Integer> comps = new ArrayList<>();
            for (RecordComponentElement c : rec.getRecordComponents()) {
                String cn = c.getSimpleName().toString();
                int idx = indexOf(outputs, cn);
                if (idx < 0) {
                    return "record component '" + cn + "' of " + rec.getSimpleName() + " names no output";
                }
                if (!isFloatArray(c.asType())) {
                    return "record component '" + cn + "' is " + c.asType() + ", not float[]";
                }
                comps.add(idx);
            }
            if (comps.isEmpty()) {
                return "record " + rec.getSimpleName() + " has no components";
            }
            ok.add(new TypedMethod(name, names, bind, ClassName.get(rec), comps, -1));
            return null;
        }
        return "it returns " + ret + ", not float[] or a record of outputs";
    }

    private static int indexOf(List<TensorSpec> specs, String javaName) {
        for (int i = 0; i < specs.size(); i++) {
            if (JavaNames.matches(javaName, specs.get(i).name())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isFloatArray(TypeMirror t) {
        return t.getKind() == TypeKind.ARRAY && ((ArrayType) t).getComponentType().getKind() == TypeKind.FLOAT;
    }

    private static List<String> javaNames(List<TensorSpec> specs) {
        return specs.stream().map(s -> JavaNames.of(s.name())).toList();
    }

    private static String describe(ExecutableElement m) {
        List<String> ps = m.getParameters().stream().map(p -> p.asType() + " " + p.getSimpleName()).toList();
        return m.getReturnType() + " " + m.getSimpleName() + "(" + String.join(", ", ps) + ")";
    }
}
