package dev.lowbit.codegen;

import com.palantir.javapoet.ClassName;
import java.util.List;

/**
 * A method the user declared on the annotated interface, matched to the model: which input each parameter
 * binds to, and either the one output it returns as {@code float[]} or the record it builds with one output
 * per component. Immutable and thread-safe.
 *
 * @param record            the record type returned, or null for {@code float[]}
 * @param outputOfComponent for a record: the output index of each component, in component order
 * @param singleOutput      for {@code float[]}: the output returned
 */
public record TypedMethod(String name, List<String> parameterNames, List<Integer> inputOfParameter, ClassName record,
        List<Integer> outputOfComponent, int singleOutput) {
    public TypedMethod {
        parameterNames = List.copyOf(parameterNames);
        inputOfParameter = List.copyOf(inputOfParameter);
        outputOfComponent = outputOfComponent == null ? List.of() : List.copyOf(outputOfComponent);
    }
}
