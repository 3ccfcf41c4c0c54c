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
     * {@code false} (the default): the int8 3x3 stride-1 layers that the f32 path runs as Winograd F(4x4, 3x3) or
     * F(3x3, 3x3) run it too, 36 products per input channel for each 4x4 block of outputs (25 for each 3x3 block)
     * against 64 (36) in the exact F(2x2) form, with
     * f32 sums that are not exact integers: on the shared models' photos they were within 0.53 of the exact dot
     * products and 0 to 2 output levels in 10^5 differed, by one, from the exact path; and the F(2x2) layers whose
     * exact sums would need several runs of input channels sum them in one, in f32; and the 1x1 layers over a Concat
     * of differently quantized branches (face-detection's squeeze layers) sum every branch in one pass with each
     * branch's weights scaled to one grid, in f32, instead of a pass per branch and a combine (the build NOTE counts
     * these layers). {@code true}: every int8 layer computes its exact integer dot products, bit-identical to the int8
     * kernels and the processor's integer simulation.
     */
    boolean exactInt8() default false;

    /**
     * {@code true} (the default): the generated class also implements {@link dev.lowbit.runtime.Profiled}, per-layer
     * times recorded only while enabled at run time, at the cost of one check per inference while off.
     * {@code false}: no profiling code at all (the un-instrumented baseline the profiling benchmark compares with).
     */
    boolean profiling() default true;
}
