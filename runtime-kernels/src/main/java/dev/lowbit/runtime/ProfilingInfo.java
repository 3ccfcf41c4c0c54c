package dev.lowbit.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A snapshot of a model's per-layer times ({@link Profiled#profilingInfo()}): every layer in execution order,
 * printable as a table like {@code benchmark_app -pc}. Immutable, thread-safe.
 */
public final class ProfilingInfo {
    /** How {@link #toTable(Order, int)} sorts the layers. Thread-safe (an enum). */
    public enum Order {
        /** The order the model runs them in. */
        EXECUTION,
        /** Most total time first (ties in execution order). */
        TIME
    }

    /** Layer names longer than this are shortened from the front in tables: their end says most. */
    private static final int NAME_WIDTH = 40;
    /** Kernel descriptions longer than this are cut at the end: their start names the kernel. */
    private static final int KERNEL_WIDTH = 44;

    private final List<LayerProfile> layers;

    public ProfilingInfo(List<LayerProfile> layers) {
        this.layers = List.copyOf(layers);
    }

    /** Every layer in execution order. */
    public List<LayerProfile> layers() {
        return layers;
    }

    /** The summed time of all layers. */
    public long totalNanos() {
        long sum = 0;
        for (LayerProfile l : layers) {
            sum += l.totalNanos();
        }
        return sum;
    }

    /** How many inferences were timed: the largest layer count (all are equal unless an inference failed). */
    public long inferences() {
        long most = 0;
        for (LayerProfile l : layers) {
            most = Math.max(most, l.count());
        }
        return most;
    }

    /** The layer's percentage of {@link #totalNanos()}; 0 if nothing was timed. */
    public double sharePercent(LayerProfile layer) {
        long total = totalNanos();
        return total == 0 ? 0 : 100.0 * layer.totalNanos() / total;
    }

    /** All layers, slowest first. */
    public String toTable() {
        return toTable(Order.TIME, Integer.MAX_VALUE);
    }

    /**
     * A fixed-width text table: execution position, name, type, precision, kernel, mean microseconds per
     * inference, share of the total, GMAC/s where the layer multiplies; then a line for the layers left out and a
     * total line.
     *
     * @param limit at most this many layer rows (e.g. the top 10 by time)
     */
    public String toTable(Order order, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, not " + limit);
        }
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            rows.add(i);
        }
        if (order == Order.TIME) {
            rows.sort(Comparator.comparingLong((Integer i) -> layers.get(i).totalNanos()).reversed());
        }
        List<Integer> shown = rows.subList(0, Math.min(limit, rows.size()));
        int nameWidth = 5;
        int typeWidth = 4;
        int kernelWidth = 6;
        for (int i : shown) {
            LayerProfile l = layers.get(i);
            nameWidth = Math.max(nameWidth, Math.min(NAME_WIDTH, l.name().length()));
            typeWidth = Math.max(typeWidth, l.type().length());
            kernelWidth = Math.max(kernelWidth, Math.min(KERNEL_WIDTH, l.kernel().length()));
        }
        String row = "%4s  %-" + nameWidth + "s  %-" + typeWidth + "s  %-4s  %-" + kernelWidth + "s  %10s  %7s  %7s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, row, "#", "layer", "type", "prec", "kernel", "mean us", "share", "GMAC/s"));
        for (int i : shown) {
            LayerProfile l = layers.get(i);
            double gmacs = l.gmacPerSecond();
            sb.append(String.format(Locale.ROOT, row, i + 1, shorten(l.name()), l.type(), l.precision(), cut(l.kernel()),
                    String.format(Locale.ROOT, "%.2f", l.meanMicros()),
                    String.format(Locale.ROOT, "%.1f %%", sharePercent(l)),
                    Double.isNaN(gmacs) ? "" : String.format(Locale.ROOT, "%.2f", gmacs)));
        }
        int hidden = rows.size() - shown.size();
        if (hidden > 0) {
            long hiddenNanos = 0;
            for (int i : rows.subList(shown.size(), rows.size())) {
                hiddenNanos += layers.get(i).totalNanos();
            }
            long total = totalNanos();
            sb.append(String.format(Locale.ROOT, "      (%d more layers, %.1f %% of the time)%n", hidden,
                    total == 0 ? 0.0 : 100.0 * hiddenNanos / total));
        }
        long n = inferences();
        sb.append(String.format(Locale.ROOT, "      total: %d layers, %.2f us per inference, %d inferences timed%n",
                layers.size(), n == 0 ? 0.0 : totalNanos() / 1e3 / n, n));
        return sb.toString();
    }

    @Override
    public String toString() {
        return toTable();
    }

    private static String cut(String kernel) {
        return kernel.length() <= KERNEL_WIDTH ? kernel : kernel.substring(0, KERNEL_WIDTH - 3) + "...";
    }

    private static String shorten(String name) {
        return name.length() <= NAME_WIDTH ? name : "..." + name.substring(name.length() - (NAME_WIDTH - 3));
    }
}
