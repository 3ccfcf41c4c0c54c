package dev.lowbit.plan;

/**
 * Where a value lives while the generated model runs: a model input array, a build-time constant, or a
 * scratch buffer of the memory plan. Immutable and thread-safe.
 */
public sealed interface Storage {
    /** Input {@code index} of the model, in the IR's Parameter order. */
    record Input(int index) implements Storage {}

    /** The constant value of Const node output {@code value}. */
    record Constant(dev.lowbit.graph.ValueRef value) implements Storage {}

    /** Scratch buffer {@code buffer} of the memory plan, from element 0. */
    record Scratch(int buffer) implements Storage {}
}
