package dev.lowbit.runtime;

import java.util.List;
import java.util.Map;

/**
 * Checks the arguments of {@link InferenceModel#infer} against the model's inputs (and, for the variant that
 * writes into caller-provided arrays, its outputs), so every generated class reports a wrong name or length
 * the same way. The checks of well-formed arguments allocate nothing (the zero-allocation promise of
 * {@link InferenceModel#infer(Map, Map)}); only the error paths build messages. Stateless, thread-safe.
 */
public final class ModelInputs {
    private ModelInputs() {}

    /** Checks that {@code inputs} has exactly the names of {@code specs}. */
    public static void checkNames(Map<String, float[]> inputs, List<TensorSpec> specs) {
        checkNames(inputs, specs, "input");
    }

    /** Checks that {@code outputs} has exactly the names of {@code specs} (the model's outputs). */
    public static void checkOutputNames(Map<String, float[]> outputs, List<TensorSpec> specs) {
        checkNames(outputs, specs, "output");
    }

    /** The array for {@code spec} from {@code inputs}, checked for presence and length. */
    public static float[] get(Map<String, float[]> inputs, TensorSpec spec) {
        return get(inputs, spec, "input");
    }

    /** The caller's array for output {@code spec} from {@code outputs}, checked for presence and length. */
    public static float[] getOutput(Map<String, float[]> outputs, TensorSpec spec) {
        return get(outputs, spec, "output");
    }

    /** Checks the length of one input array. */
    public static float[] check(float[] a, TensorSpec spec) {
        return check(a, spec, "input");
    }

    private static void checkNames(Map<String, float[]> arrays, List<TensorSpec> specs, String role) {
        if (arrays == null) {
            throw new IllegalArgumentException(role + "s must not be null; the model expects " + specs);
        }
        // Every spec's name present and as many entries as specs means no unknown name: no iterator needed.
        boolean allPresent = arrays.size() == specs.size();
        for (int i = 0; i < specs.size() && allPresent; i++) {
            allPresent = arrays.containsKey(specs.get(i).name());
        }
        if (allPresent) {
            return;
        }
        for (String name : arrays.keySet()) {
            if (specs.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("unknown " + role + " '" + name + "'; the model's " + role + "s are " + specs);
            }
        }
        // only missing names remain: get() reports the first with its expected size
    }

    private static float[] get(Map<String, float[]> arrays, TensorSpec spec, String role) {
        float[] a = arrays.get(spec.name());
        if (a == null) {
            throw new IllegalArgumentException("missing " + role + " '" + spec.name() + "': expected " + spec.size()
                    + " floats (" + spec + "), given " + role + "s " + arrays.keySet());
        }
        return check(a, spec, role);
    }

    private static float[] check(float[] a, TensorSpec spec, String role) {
        if (a == null) {
            throw new IllegalArgumentException(role + " '" + spec.name() + "' is null: expected " + spec.size()
                    + " floats (" + spec + ")");
        }
        if (a.length != spec.size()) {
            throw new IllegalArgumentException(role + " '" + spec.name() + "' has " + a.length
                    + " floats, expected " + spec.size() + " (" + spec + ")");
        }
        return a;
    }
}
