package dev.lowbit.codegen;

/**
 * What the build did with one IR layer, for the build report. Immutable and thread-safe.
 *
 * @param precision   "f32" (the int8 path adds "u8" and "i8")
 * @param kernel      the runtime kernel called
 * @param macs        multiply-accumulates per inference (0 for layers that do none)
 * @param weightBytes bytes of build-time constants the layer reads
 */
public record LayerReport(int id, String name, String type, String precision, String kernel, long macs,
        long weightBytes) {}
