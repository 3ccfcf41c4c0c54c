package dev.lowbit.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The text form of a model's static layer description that the processor bakes into a generated class as string
 * constants (a constant costs no bytecode, unlike an array of records built in a static initializer): one line per
 * layer, tab-separated id, name, type, precision, kernel and MACs. Stateless, so thread-safe.
 */
public final class LayerTable {
    private LayerTable() {}

    /** One layer's line, newline included; tabs and line breaks inside the texts become spaces. */
    public static String line(int id, String name, String type, String precision, String kernel, long macs) {
        return id + "\t" + clean(name) + "\t" + clean(type) + "\t" + clean(precision) + "\t" + clean(kernel) + "\t"
                + macs + "\n";
    }

    /** The layers of a table with zero times and counts. */
    public static List<LayerProfile> parse(String table) {
        List<LayerProfile> layers = new ArrayList<>();
        for (String line : table.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException("a layer table line has 6 tab-separated fields, not " + f.length
                        + ": '" + line + "'");
            }
            layers.add(new LayerProfile(Integer.parseInt(f[0]), f[1], f[2], f[3], f[4], Long.parseLong(f[5]), 0, 0));
        }
        return layers;
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
