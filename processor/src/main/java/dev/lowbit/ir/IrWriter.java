package dev.lowbit.ir;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Port;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link Graph} as an OpenVINO IR v11 pair (model.xml + model.bin) laid out the way OpenVINO's
 * serializer ({@code src/core/src/pass/serialize.cpp}) does it: layer ids are the nodes' positions in a
 * depth-first topological order from the Results ({@link #layerIds}); layers are emitted Parameters first, then the other ops, then Results; port ids count inputs
 * 0..n-1 then outputs n..; Const data is appended to the .bin in layer order, little-endian, identical
 * blobs stored once (several Consts may then share an offset); edges are sorted by source layer.
 * Attributes are written as the nodes hold them, except that a Const's {@code element_type}, {@code shape},
 * {@code offset} and {@code size} always describe its tensor and where it was written. Output is a pure
 * function of the graph (byte-identical for equal graphs). Stateless, thread-safe.
 */
public final class IrWriter {
    private static final Set<String> CONST_LAYOUT = Set.of("element_type", "shape", "offset", "size");

    /** Writes {@code xml} and the .bin beside it (same base name); returns the .bin path. */
    public Path write(Graph graph, Path xml) {
        Path bin = IrReader.binPathFor(xml);
        ByteArrayOutputStream weights = new ByteArrayOutputStream();
        String text = toXml(graph, weights);
        try {
            Path dir = xml.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.write(bin, weights.toByteArray());
            Files.writeString(xml, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + xml + " / " + bin + ": " + e.getMessage(), e);
        }
        return bin;
    }

    /** The .xml text; Const data is appended to {@code bin}. */
    public String toXml(Graph graph, ByteArrayOutputStream bin) {
        List<Node> ordered = orderedOps(graph);
        Map<Integer, Integer> ids = new HashMap<>();
        for (Node n : ordered) {
            ids.put(n.id(), ids.size());
        }
        List<Node> order = new ArrayList<>(graph.parameters());
        for (Node n : ordered) {
            if (!n.is("Parameter") && !n.is("Result")) {
                order.add(n);
            }
        }
        order.addAll(graph.results());

        StringBuilder x = new StringBuilder("<?xml version=\"1.0\"?>\n");
        x.append("<net name=\"").append(escape(graph.name())).append("\" version=\"11\">\n");
        x.append("\t<layers>\n");
        BlobTable blobs = new BlobTable(bin);
        for (Node n : order) {
            writeLayer(x, n, ids.get(n.id()), blobs);
        }
        x.append("\t</layers>\n");
        x.append("\t<edges>\n");
        for (Edge e : edges(graph, ids)) {
            x.append("\t\t<edge from-layer=\"").append(e.fromLayer).append("\" from-port=\"").append(e.fromPort)
                    .append("\" to-layer=\"").append(e.toLayer).append("\" to-port=\"").append(e.toPort)
                    .append("\" />\n");
        }
        x.append("\t</edges>\n");
        x.append("</net>\n");
        return x.toString();
    }

    /**
     * The layer id the writer gives each node (by node id): its position in {@link #orderedOps}, as the
     * serializer numbers layers by their position in {@code Model::get_ordered_ops()}.
     */
    public static Map<Integer, Integer> layerIds(Graph graph) {
        Map<Integer, Integer> ids = new HashMap<>();
        for (Node n : orderedOps(graph)) {
            ids.put(n.id(), ids.size());
        }
        return ids;
    }

    /**
     * Nodes in the order of OpenVINO's {@code topological_sort}: depth-first from each Result in turn,
     * inputs in input order, a node after its inputs, so every Const sits right before its first consumer.
     * Nodes no Result depends on follow, in graph order.
     */
    static List<Node> orderedOps(Graph graph) {
        List<Node> out = new ArrayList<>(graph.nodes().size());
        Set<Integer> done = new HashSet<>();
        Deque<int[]> stack = new ArrayDeque<>(); // {node id, next input position}
        for (Node result : graph.results()) {
            stack.push(new int[] {result.id(), 0});
            while (!stack.isEmpty()) {
                int[] top = stack.peek();
                Node n = graph.node(top[0]);
                if (done.contains(n.id())) {
                    stack.pop();
                } else if (top[1] < n.inputs().size()) {
                    int producer = n.inputs().get(top[1]++).node();
                    if (!done.contains(producer)) {
                        stack.push(new int[] {producer, 0});
                    }
                } else {
                    stack.pop();
                    done.add(n.id());
                    out.add(n);
                }
            }
        }
        for (Node n : graph.nodes()) {
            if (done.add(n.id())) {
                out.add(n);
            }
        }
        return out;
    }

    private record Edge(int fromLayer, int fromPort, int toLayer, int toPort) {}

    private static List<Edge> edges(Graph graph, Map<Integer, Integer> ids) {
        List<Edge> edges = new ArrayList<>();
        for (Node n : graph.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                ValueRef in = n.inputs().get(i);
                Node producer = graph.node(in.node());
                // An output port's id is the producer's input count plus its position.
                edges.add(new Edge(ids.get(in.node()), producer.inputs().size() + in.port(), ids.get(n.id()), i));
            }
        }
        edges.sort(Comparator.comparingInt(Edge::fromLayer));
        return edges;
    }

    private void writeLayer(StringBuilder x, Node n, int id, BlobTable blobs) {
        x.append("\t\t<layer id=\"").append(id).append("\" name=\"").append(escape(n.name()))
                .append("\" type=\"").append(escape(n.type())).append("\" version=\"")
                .append(escape(n.version() == null ? "opset1" : n.version())).append("\">\n");
        StringBuilder data = new StringBuilder();
        if (n.is("Const")) {
            Tensor t = n.constant();
            if (t == null) {
                throw new IrException(n, "a Const node without a value cannot be written");
            }
            byte[] bytes = encode(n, t);
            long offset = blobs.offsetOf(bytes);
            attribute(data, "element_type", t.type().irName());
            attribute(data, "shape", join(t.shape()));
            attribute(data, "offset", Long.toString(offset));
            attribute(data, "size", Integer.toString(bytes.length));
            n.attributes().asMap().forEach((k, v) -> {
                if (!CONST_LAYOUT.contains(k)) {
                    attribute(data, k, v);
                }
            });
        } else {
            n.attributes().asMap().forEach((k, v) -> attribute(data, k, v));
        }
        if (!data.isEmpty()) {
            x.append("\t\t\t<data").append(data).append(" />\n");
        }
        int portId = 0;
        if (!n.inputs().isEmpty()) {
            x.append("\t\t\t<input>\n");
            for (int i = 0; i < n.inputs().size(); i++) {
                Port p = i < n.inputPorts().size() ? n.inputPorts().get(i) : null;
                if (p == null) {
                    throw new IrException(n, "input " + i + " has no declared port");
                }
                writePort(x, portId++, p, false);
            }
            x.append("\t\t\t</input>\n");
        }
        if (!n.outputs().isEmpty()) {
            x.append("\t\t\t<output>\n");
            for (Port p : n.outputs()) {
                writePort(x, portId++, p, true);
            }
            x.append("\t\t\t</output>\n");
        }
        x.append("\t\t</layer>\n");
    }

    private static void writePort(StringBuilder x, int id, Port p, boolean output) {
        x.append("\t\t\t\t<port id=\"").append(id).append("\" precision=\"").append(precision(p.type())).append('"');
        if (output && !p.names().isEmpty()) {
            StringBuilder names = new StringBuilder();
            for (String name : p.names()) {
                names.append(names.isEmpty() ? "" : ",").append(name.replace(",", "\\,"));
            }
            x.append(" names=\"").append(escape(names.toString())).append('"');
        }
        int[] shape = p.shape();
        if (shape.length == 0) {
            x.append(" />\n");
            return;
        }
        x.append(">\n");
        for (int d : shape) {
            x.append("\t\t\t\t\t<dim>").append(d).append("</dim>\n");
        }
        x.append("\t\t\t\t</port>\n");
    }

    private static void attribute(StringBuilder data, String key, String value) {
        data.append(' ').append(key).append("=\"").append(escape(value)).append('"');
    }

    private static String join(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.toString();
    }

    /** The legacy port precision name OpenVINO's serializer writes (get_precision_name). */
    static String precision(ElementType type) {
        return switch (type) {
            case F64 -> "FP64";
            case F32 -> "FP32";
            case F16 -> "FP16";
            case BF16 -> "BF16";
            case BOOLEAN -> "BOOL";
            default -> type.irName().toUpperCase(java.util.Locale.ROOT);
        };
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\t' -> sb.append("&#9;");
                case '\n' -> sb.append("&#10;");
                case '\r' -> sb.append("&#13;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The .bin bytes of a constant: little-endian, row-major, 4-bit types packed low nibble first. */
    static byte[] encode(Node n, Tensor t) {
        ElementType type = t.type();
        int count = t.size();
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(type.byteSize(count))).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            double v = t.get(i);
            switch (type) {
                case F64 -> b.putDouble(v);
                case F32 -> b.putFloat((float) v);
                case F16 -> b.putShort(Float.floatToFloat16((float) v));
                case BF16 -> b.putShort(toBf16((float) v));
                case I64 -> b.putLong(integral(n, v, Long.MIN_VALUE, Long.MAX_VALUE, type));
                case I32 -> b.putInt((int) integral(n, v, Integer.MIN_VALUE, Integer.MAX_VALUE, type));
                case I16 -> b.putShort((short) integral(n, v, Short.MIN_VALUE, Short.MAX_VALUE, type));
                case I8 -> b.put((byte) integral(n, v, Byte.MIN_VALUE, Byte.MAX_VALUE, type));
                case U64 -> b.putLong(unsigned64(n, v));
                case U32 -> b.putInt((int) integral(n, v, 0, 0xFFFF_FFFFL, type));
                case U16 -> b.putShort((short) integral(n, v, 0, 0xFFFF, type));
                case U8 -> b.put((byte) integral(n, v, 0, 0xFF, type));
                case BOOLEAN -> b.put((byte) (v != 0 ? 1 : 0));
                case I4, U4 -> {
                    long nib = type == ElementType.I4 ? integral(n, v, -8, 7, type) : integral(n, v, 0, 15, type);
                    int pos = i / 2;
                    int old = b.get(pos) & 0xFF;
                    int nibble = (int) nib & 0x0F;
                    b.put(pos, (byte) (i % 2 == 0 ? (old & 0xF0) | nibble : (old & 0x0F) | (nibble << 4)));
                }
            }
        }
        return b.array();
    }

    private static long integral(Node n, double v, long min, long max, ElementType type) {
        if (v != Math.rint(v) || v < min || v > max) {
            throw new IrException(n, "value " + v + " does not fit element type " + type.irName());
        }
        return (long) v;
    }

    private static long unsigned64(Node n, double v) {
        if (v != Math.rint(v) || v < 0 || v >= 0x1.0p64) {
            throw new IrException(n, "value " + v + " does not fit element type u64");
        }
        return v >= 0x1.0p63 ? (long) (v - 0x1.0p63) ^ Long.MIN_VALUE : (long) v;
    }

    /** Rounds an f32 to bfloat16, to nearest even. */
    private static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Appends blobs to the .bin, returning the offset of an identical earlier blob when there is one. */
    private static final class BlobTable {
        private final ByteArrayOutputStream bin;
        private final Map<Key, Long> offsets = new HashMap<>();

        BlobTable(ByteArrayOutputStream bin) {
            this.bin = bin;
        }

        long offsetOf(byte[] bytes) {
            Key k = new Key(bytes);
            Long existing = offsets.get(k);
            if (existing != null) {
                return existing;
            }
            long offset = bin.size();
            bin.writeBytes(bytes);
            offsets.put(k, offset);
            return offset;
        }

        private record Key(byte[] bytes) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && Arrays.equals(k.bytes, bytes);
            }

            @Override
            public int hashCode() {
                return Arrays.hashCode(bytes);
            }
        }
    }
}
