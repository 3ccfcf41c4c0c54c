package dev.lowbit.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The per-instance layer times behind {@link Profiled}, for generated code: one per model instance, a slot pair
 * (summed nanoseconds, count) per layer in execution order. The generated code asks {@link #enabled()} once per
 * inference; only when it is true does it run the timed copies of its layer calls, which chain {@link #lap}.
 *
 * <p>Not thread-safe, like the model instance that owns it (see {@link Profiled}).
 */
public final class ProfileRecorder {
    private final int layers;
    private boolean enabled;
    /** [2i] nanoseconds and [2i + 1] executions of layer i; allocated on first enable, so off costs no memory. */
    private long[] slots;

    public ProfileRecorder(int layers) {
        if (layers < 0) {
            throw new IllegalArgumentException("layers must be >= 0, not " + layers);
        }
        this.layers = layers;
    }

    /** Whether the next inference is timed: the one check an un-profiled inference pays. */
    public boolean enabled() {
        return enabled;
    }

    public void enable(boolean on) {
        if (on && slots == null) {
            slots = new long[2 * layers];
        }
        enabled = on;
    }

    /** The slots the timed layer calls add to; non-null once enabled. */
    public long[] slots() {
        return slots;
    }

    /**
     * Adds the time since {@code since} to {@code layer} and counts one execution; returns the current time, the
     * start of the next layer. Static and tiny so the JIT inlines it into the timed run methods.
     */
    public static long lap(long[] slots, int layer, long since) {
        long now = System.nanoTime();
        slots[2 * layer] += now - since;
        slots[2 * layer + 1]++;
        return now;
    }

    public void reset() {
        if (slots != null) {
            Arrays.fill(slots, 0);
        }
    }

    /**
     * A snapshot of the times joined with the layers' build-time description.
     *
     * @param layerTable the layers as {@link LayerTable#line} wrote them, in execution order
     * @throws IllegalStateException if the table does not describe exactly this recorder's layers
     */
    public ProfilingInfo info(String layerTable) {
        List<LayerProfile> described = LayerTable.parse(layerTable);
        if (described.size() != layers) {
            throw new IllegalStateException("the layer table describes " + described.size() + " layers, the model times "
                    + layers);
        }
        List<LayerProfile> out = new ArrayList<>(layers);
        for (int i = 0; i < layers; i++) {
            LayerProfile d = described.get(i);
            long nanos = slots == null ? 0 : slots[2 * i];
            long count = slots == null ? 0 : slots[2 * i + 1];
            out.add(new LayerProfile(d.id(), d.name(), d.type(), d.precision(), d.kernel(), d.macs(), nanos, count));
        }
        return new ProfilingInfo(out);
    }
}
