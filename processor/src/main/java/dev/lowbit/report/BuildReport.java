package dev.lowbit.report;

import dev.lowbit.codegen.LayerReport;
import java.util.List;
import java.util.Locale;

/**
 * What the build did with one model: the NOTE line the compiler prints and the JSON written to
 * {@code META-INF/lowbit/<interface>.json}, with one entry per layer (precision per layer, so int8 layers
 * sit next to fp32 ones naturally). Immutable, thread-safe.
 */
public record BuildReport(String interfaceName, String model, String modelSha256, long weightBytes, long scratchFloats,
        long millis, List<LayerReport> layers) {
    public BuildReport {
        layers = List.copyOf(layers);
    }

    public String note() {
        long macs = layers.stream().mapToLong(LayerReport::macs).sum();
        long f32 = layers.stream().filter(l -> l.precision().equals("f32")).count();
        return String.format(Locale.ROOT, "lowbit: %s <- %s: %d layers (%d f32), %.1f MMAC, %d weight bytes, "
                + "%d scratch floats, built in %d ms", interfaceName, model, layers.size(), f32, macs / 1e6,
                weightBytes, scratchFloats, millis);
    }

    /**
     * Share of the Convolution/GroupConvolution/MatMul MACs that run in int8 (precision u8/i8) kernels, as the
     * issue counts them: ConvolutionBackpropData, which has no int8 lowering, is left out.
     */
    public double int8MacShare() {
        long all = 0, int8 = 0;
        for (LayerReport l : layers) {
            if (l.type().equalsIgnoreCase("ConvolutionBackpropData")) {
                continue;
            }
            all += l.macs();
            int8 += l.precision().equals("f32") ? 0 : l.macs();
        }
        return all == 0 ? 0 : (double) int8 / all;
    }

    public String json() {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"interface\": ").append(quote(interfaceName)).append(",\n");
        sb.append("  \"model\": ").append(quote(model)).append(",\n");
        sb.append("  \"modelSha256\": ").append(quote(modelSha256)).append(",\n");
        sb.append("  \"weightBytes\": ").append(weightBytes).append(",\n");
        sb.append("  \"scratchFloats\": ").append(scratchFloats).append(",\n");
        sb.append("  \"buildMillis\": ").append(millis).append(",\n");
        sb.append("  \"int8MacShare\": ").append(String.format(Locale.ROOT, "%.4f", int8MacShare())).append(",\n");
        sb.append("  \"layers\": [");
        for (int i = 0; i < layers.size(); i++) {
            LayerReport l = layers.get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"id\": ").append(l.id())
                    .append(", \"name\": ").append(quote(l.name()))
                    .append(", \"type\": ").append(quote(l.type()))
                    .append(", \"precision\": ").append(quote(l.precision()))
                    .append(", \"kernel\": ").append(quote(l.kernel()))
                    .append(", \"macs\": ").append(l.macs())
                    .append(", \"weightBytes\": ").append(l.weightBytes()).append('}');
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
