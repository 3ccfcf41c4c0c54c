package dev.lowbit.runtime;

import java.util.List;
import java.util.Map;

/**
 * Checks the arguments of {@link InferenceModel#infer} against the model's inputs, so every generated
 * class reports a wrong name or length the same way. Stateless, thread-safe.
 */
public final class ModelInputs {
    private ModelInputs() {}

    /** Checks that {@code inputs} has exactly the names of {@code specs}. */
    public static void checkNames(Map<String, float[]> inputs, List<TensorSpec> specs) {
        if (inputs == null) {
            throw new IllegalArgumentException("inputs must not be null; the model expects " + specs);
        }
        for (String name : inputs.keySet()) {
            if (specs.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("unknown input '" + name + "'; the model's inputs are " + specs);
            }
        }
    }

    /** The array for {@code spec} from {@code inputs}, checked for presence and length. */
    public static float[] get(Map<String, float[]> inputs, TensorSpec spec) {
        float[] a = inputs.get(spec.name());
        if (a == null) {
            throw new IllegalArgumentException("missing input '" + spec.name() + "': expected " + spec.size()
                    + " floats (" + spec + "), given inputs " + inputs.keySet());
        }
        return check(a, spec);
    }

    /** Checks the length of one input array. */
    public static float[] check(float[] a, TensorSpec spec) {
        if (a == null) {
            throw new IllegalArgumentException("input '" + spec.name() + "' is null: expected " + spec.size()
                    + " floats (" + spec + ")");
        }
        if (a.length != spec.size()) {
            throw new IllegalArgumentException("input '" + spec.name() + "' has " + a.length
                    + " floats, expected " + spec.size() + " (" + spec + ")");
        }
        return a;
    }
}
