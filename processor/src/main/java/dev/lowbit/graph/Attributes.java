package dev.lowbit.graph;

import dev.lowbit.ir.IrException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code <data>} attributes of one layer with typed access. A missing or malformed attribute is an
 * {@link IrException} naming the file, the layer and the attribute. Immutable, thread-safe.
 */
public final class Attributes {
    private final Map<String, String> values;
    private final Path file;
    private final int layerId;
    private final String layerName;
    private final String layerType;

    public Attributes(Map<String, String> values, Path file, int layerId, String layerName, String layerType) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.file = file;
        this.layerId = layerId;
        this.layerName = layerName;
        this.layerType = layerType;
    }

    public Map<String, String> asMap() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) {
            throw error("missing attribute '" + key + "'");
        }
        return v.trim();
    }

    public String string(String key, String defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : v.trim();
    }

    public long longValue(String key) {
        String v = string(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw error("attribute '" + key + "'='" + v + "' is not an integer");
        }
    }

    public int intValue(String key) {
        long v = longValue(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw error("attribute '" + key + "'=" + v + " is out of range");
        }
        return (int) v;
    }

    public int intValue(String key, int defaultValue) {
        return has(key) ? intValue(key) : defaultValue;
    }

    public double doubleValue(String key) {
        String v = string(key);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw error("attribute '" + key + "'='" + v + "' is not a number");
        }
    }

    public double doubleValue(String key, double defaultValue) {
        return has(key) ? doubleValue(key) : defaultValue;
    }

    public boolean bool(String key, boolean defaultValue) {
        if (!has(key)) {
            return defaultValue;
        }
        String v = string(key).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw error("attribute '" + key + "'='" + v + "' is not a boolean");
        };
    }

    /** A comma-separated integer list ("1, 1" or "1,1"; empty string is an empty list). */
    public long[] longs(String key) {
        String v = string(key);
        if (v.isEmpty()) {
            return new long[0];
        }
        String[] parts = v.split(",");
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw error("attribute '" + key + "'='" + v + "' is not a list of integers");
            }
        }
        return out;
    }

    public int[] ints(String key) {
        long[] l = longs(key);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
                throw error("attribute '" + key + "' element " + l[i] + " is out of range");
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    public int[] ints(String key, int[] defaultValue) {
        return has(key) ? ints(key) : defaultValue.clone();
    }

    /**
     * A list of exactly {@code length} integers, one per spatial axis; absent or empty (as the reference evaluator
     * reads empty pads) gives {@code defaultValue} on every axis.
     */
    public int[] ints(String key, int length, int defaultValue) {
        int[] v = ints(key, new int[0]);
        if (v.length == 0) {
            int[] filled = new int[length];
            java.util.Arrays.fill(filled, defaultValue);
            return filled;
        }
        if (v.length != length) {
            throw error("attribute '" + key + "' has " + v.length + " values; " + length + "-D ops need " + length);
        }
        return v;
    }

    /** A comma-separated list of numbers; empty string is an empty list. */
    public double[] doubles(String key) {
        String v = string(key);
        if (v.isEmpty()) {
            return new double[0];
        }
        String[] parts = v.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw error("attribute '" + key + "'='" + v + "' is not a list of numbers");
            }
        }
        return out;
    }

    public double[] doubles(String key, double[] defaultValue) {
        return has(key) ? doubles(key) : defaultValue.clone();
    }

    public IrException error(String what) {
        return new IrException(file, layerId, layerName, layerType, what);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
