package dev.lowbit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface whose implementation {@code <InterfaceName>Model} the lowbit processor generates,
 * at build time, from an OpenVINO IR model.
 *
 * <p>{@link #value()} is the path of the model's {@code .xml}; the {@code .bin} with the same base name
 * must sit next to it. See the README for how the path resolves.
 *
 * <p>Read by the processor at build time only (source retention), so thread safety does not apply to it; the
 * generated class states its own (not thread-safe; see {@code dev.lowbit.runtime.InferencePool}).
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface CompiledModel {
    /** Path of the IR {@code .xml} file, relative to {@code -Alowbit.modelDir}, the module, the project root or the class path. */
    String value();

    /**
     * {@code "int8"}: run what the low-precision transformations lower in int8 kernels (an IR without FakeQuantize
     * is fp32 anyway); {@code "fp32"}: the fp32 path, FakeQuantize applied literally (e.g. to benchmark an INT8 IR
     * both ways). Empty (the default): the processor option {@code -Alowbit.precision}, else {@code int8}.
     */
    String precision() default "";

    /**
     * {@code true} (the default): the generated class also implements {@link dev.lowbit.runtime.Profiled}, per-layer
     * times recorded only while enabled at run time, at the cost of one check per inference while off.
     * {@code false}: no profiling code at all (the un-instrumented baseline the profiling benchmark compares with).
     */
    boolean profiling() default true;
}
