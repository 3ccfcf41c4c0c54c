package dev.lowbit.example;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Layers and multiply-accumulates per precision, read from the build report the processor leaves in the
 * class output ({@code META-INF/lowbit/<interface>.json}). Immutable and thread-safe.
 */
public record BuildReportSummary(Map<String, Integer> layers, Map<String, Long> macs) {
    private static final Pattern LAYER = Pattern.compile("\"precision\": \"(\\w+)\", \"kernel\": \"[^\"]*\", \"macs\": (\\d+)");

    public static BuildReportSummary of(Class<?> annotatedInterface) throws IOException {
        String name = "/META-INF/lowbit/" + annotatedInterface.getName() + ".json";
        try (InputStream in = annotatedInterface.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("build report " + name + " is not on the class path");
            }
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, Integer> layers = new TreeMap<>();
            Map<String, Long> macs = new TreeMap<>();
            Matcher m = LAYER.matcher(json);
            while (m.find()) {
                layers.merge(m.group(1), 1, Integer::sum);
                macs.merge(m.group(1), Long.parseLong(m.group(2)), Long::sum);
            }
            if (layers.isEmpty()) {
                throw new IOException("build report " + name + " lists no layers");
            }
            return new BuildReportSummary(layers, macs);
        }
    }

    /** Like "layers f32 9, u8 3; MACs in int8 98.1 %". */
    @Override
    public String toString() {
        long all = macs.values().stream().mapToLong(Long::longValue).sum();
        long int8 = macs.entrySet().stream().filter(e -> !e.getKey().equals("f32")).mapToLong(Map.Entry::getValue).sum();
        StringBuilder sb = new StringBuilder("layers");
        layers.forEach((p, n) -> sb.append(' ').append(p).append(' ').append(n).append(','));
        sb.setLength(sb.length() - 1);
        return sb.append(String.format("; MACs %,d, in int8 %.1f %%", all, all == 0 ? 0.0 : 100.0 * int8 / all)).toString();
    }
}
