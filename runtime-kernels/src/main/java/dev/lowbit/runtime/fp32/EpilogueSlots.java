package dev.lowbit.runtime.fp32;

import java.util.List;

/**
 * The one shape every {@link ChannelEpilogue} takes: {@code ((y + a1) * m1 + a2)}, then ReLU, then
 * {@code * m2 + a3}, per output channel; a chain of per-channel Add, Multiply and ReLU layers fits when its steps
 * take these slots in order (bias; bias and ReLU; bias, ReLU and a batch norm after it; a batch norm and then
 * ReLU ...). A missing step is its exact identity ({@code + -0.0f}, {@code * 1}, no ReLU), so the whole shape runs
 * as one pass of seven vector operations with the outputs bit for bit those of the steps alone. No vector types:
 * the processor asks inside javac, where {@code jdk.incubator.vector} is not loaded. Stateless, so thread-safe.
 */
public final class EpilogueSlots {
    /** The slots, in order: "add", "multiply" or "relu". */
    public static final List<String> SLOTS = List.of("add", "multiply", "add", "relu", "multiply", "add");

    private EpilogueSlots() {
    }

    /** The first slot after {@code after} (-1: none taken yet) that takes {@code kind}, or -1 when none does. */
    public static int next(String kind, int after) {
        for (int s = after + 1; s < SLOTS.size(); s++) {
            if (SLOTS.get(s).equals(kind)) {
                return s;
            }
        }
        return -1;
    }
}
