package dev.lowbit.ir;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import dev.lowbit.graph.Attributes;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Port;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads an OpenVINO IR (v10 or v11: model.xml plus the model.bin beside it) into a {@link Graph}.
 *
 * <p>Hardened against hostile files: DTDs and external entities are disabled (an XML file can never make
 * the reader open another file), every Const region is checked against the .bin length and against its
 * shape times element size, shape products are computed without overflow and bounded, and edges are
 * checked for dangling ends, duplicates and cycles. Every error is an {@link IrException} naming the file
 * and the layer. The .bin is read once. Instances are immutable and thread-safe.
 */
public final class IrReader {
    private static final XMLInputFactory XML_INPUT = createInputFactory();
    private static final XmlMapper MAPPER = createMapper();

    private static XMLInputFactory createInputFactory() {
        XMLInputFactory input = XMLInputFactory.newFactory();
        input.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        input.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        input.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        input.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resource '" + systemId + "' refused: IR files may not reference other files");
        });
        return input;
    }

    private static XmlMapper createMapper() {
        XmlMapper mapper = new XmlMapper(new XmlFactory(XML_INPUT));
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        return mapper;
    }

    /** Reads {@code xml} and the .bin with the same base name next to it. */
    public Graph read(Path xml) {
        return read(xml, binPathFor(xml));
    }

    public static Path binPathFor(Path xml) {
        String file = xml.getFileName().toString();
        String base = file.endsWith(".xml") ? file.substring(0, file.length() - 4) : file;
        return xml.resolveSibling(base + ".bin");
    }

    public Graph read(Path xml, Path bin) {
        IrXml.Net net = parseXml(xml);
        int version = parseVersion(xml, net.version);
        ByteBuffer weights = null;
        boolean hasConst = net.layers.stream().anyMatch(l -> "Const".equalsIgnoreCase(l.type));
        if (hasConst) {
            weights = readBin(xml, bin);
        }
        return new Builder(xml, version, weights).build(net);
    }

    private static IrXml.Net parseXml(Path xml) {
        try (InputStream in = Files.newInputStream(xml)) {
            XMLStreamReader stream = XML_INPUT.createXMLStreamReader(in);
            try {
                moveToRootRejectingDoctype(xml, stream);
                return MAPPER.readValue(stream, IrXml.Net.class);
            } finally {
                stream.close();
            }
        } catch (XMLStreamException e) {
            throw new IrException(xml, "malformed XML: " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new IrException(xml, "model file not found");
        } catch (JacksonException e) {
            throw new IrException(xml, "malformed XML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IrException(xml, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * IR files never carry a DOCTYPE; one is how XXE payloads arrive, so it is refused before any entity could
     * be declared or resolved.
     */
    private static void moveToRootRejectingDoctype(Path xml, XMLStreamReader stream) throws XMLStreamException {
        while (stream.hasNext()) {
            int event = stream.next();
            if (event == XMLStreamConstants.DTD) {
                throw new IrException(xml, "malformed XML: DOCTYPE declarations are not allowed in IR files "
                        + "(external entities and DTDs are disabled)");
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (!"net".equals(stream.getLocalName())) {
                    throw new IrException(xml, "malformed XML: root element is <" + stream.getLocalName() + ">, expected <net>");
                }
                return;
            }
        }
        throw new IrException(xml, "malformed XML: the file has no root element");
    }

    private static int parseVersion(Path xml, String version) {
        if (version == null) {
            throw new IrException(xml, "<net> has no version attribute (expected IR version 10 or 11)");
        }
        try {
            int v = Integer.parseInt(version.trim());
            if (v == 10 || v == 11) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IrException(xml, "unsupported IR version '" + version + "' (supported: 10, 11)");
    }

    private static ByteBuffer readBin(Path xml, Path bin) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            throw new IrException(xml, "weights file " + bin + " not found (Const layers need it)");
        } catch (IOException | OutOfMemoryError e) {
            throw new IrException(xml, "cannot read weights file " + bin + ": " + e.getMessage(), e);
        }
    }

    /** Turns the bound XML into nodes, one layer at a time, then links edges. */
    private static final class Builder {
        private final Path xml;
        private final int irVersion;
        private final ByteBuffer bin;

        Builder(Path xml, int irVersion, ByteBuffer bin) {
            this.xml = xml;
            this.irVersion = irVersion;
            this.bin = bin;
        }

        private record LayerInfo(IrXml.Layer xml, int id, Map<String, Integer> inputPos, Map<String, Integer> outputPos) {}

        Graph build(IrXml.Net net) {
            Map<Integer, LayerInfo> layers = new LinkedHashMap<>();
            for (IrXml.Layer l : net.layers) {
                int id = parseLayerId(l);
                if (l.type == null || l.type.isBlank()) {
                    throw new IrException(xml, id, l.name, "?", "layer has no type");
                }
                LayerInfo info = new LayerInfo(l, id, portPositions(l, id, l.input), portPositions(l, id, l.output));
                if (layers.put(id, info) != null) {
                    throw new IrException(xml, id, l.name, l.type, "duplicate layer id " + id);
                }
            }
            Map<Integer, ValueRef[]> inputs = linkEdges(net.edges, layers);
            Map<Integer, Node> nodes = new LinkedHashMap<>();
            for (LayerInfo info : layers.values()) {
                nodes.put(info.id, toNode(info, inputs.get(info.id)));
            }
            for (LayerInfo info : layers.values()) {
                checkEdgeShapes(info, nodes.get(info.id), nodes);
            }
            return Graph.of(net.name == null ? xml.getFileName().toString() : net.name, xml, nodes.values());
        }

        /**
         * Each input port declares the shape of the output port its edge leaves from: OpenVINO writes both from the
         * same value, and the build reads whichever is at hand, so a file where they differ is refused here.
         */
        private void checkEdgeShapes(LayerInfo info, Node node, Map<Integer, Node> nodes) {
            for (int i = 0; i < node.inputs().size(); i++) {
                ValueRef from = node.inputs().get(i);
                Node producer = nodes.get(from.node());
                int[] declared = node.inputPorts().get(i).shape();
                int[] produced = producer.output(from.port()).shape();
                if (!Arrays.equals(declared, produced)) {
                    throw layerError(info, "input port " + info.xml.input.ports.get(i).id + " declares shape "
                            + Arrays.toString(declared) + ", but its edge comes from " + producer.describe()
                            + ", whose output port " + from.port() + " has shape " + Arrays.toString(produced));
                }
            }
        }

        private int parseLayerId(IrXml.Layer l) {
            try {
                return Integer.parseInt(l.id.trim());
            } catch (RuntimeException e) {
                throw new IrException(xml, "layer name='" + l.name + "' type=" + l.type + ": id '" + l.id
                        + "' is not an integer");
            }
        }

        private Map<String, Integer> portPositions(IrXml.Layer l, int id, IrXml.Ports ports) {
            Map<String, Integer> pos = new HashMap<>();
            if (ports != null) {
                for (IrXml.Port p : ports.ports) {
                    if (p.id == null || pos.put(p.id.trim(), pos.size()) != null) {
                        throw new IrException(xml, id, l.name, l.type, "port id '" + p.id + "' missing or duplicated");
                    }
                }
            }
            return pos;
        }

        private Map<Integer, ValueRef[]> linkEdges(List<IrXml.Edge> edges, Map<Integer, LayerInfo> layers) {
            Map<Integer, ValueRef[]> inputs = new HashMap<>();
            for (LayerInfo info : layers.values()) {
                inputs.put(info.id, new ValueRef[info.inputPos.size()]);
            }
            for (IrXml.Edge e : edges) {
                String edge = "edge " + e.fromLayer + ":" + e.fromPort + " -> " + e.toLayer + ":" + e.toPort;
                LayerInfo from = layers.get(parseEdgeInt(e.fromLayer, edge));
                LayerInfo to = layers.get(parseEdgeInt(e.toLayer, edge));
                if (from == null || to == null) {
                    throw new IrException(xml, edge + " refers to layer id "
                            + (from == null ? e.fromLayer : e.toLayer) + ", which does not exist");
                }
                Integer outPos = e.fromPort == null ? null : from.outputPos.get(e.fromPort.trim());
                if (outPos == null) {
                    throw layerError(from, edge + " leaves from output port " + e.fromPort + ", which this layer does not have");
                }
                Integer inPos = e.toPort == null ? null : to.inputPos.get(e.toPort.trim());
                if (inPos == null) {
                    throw layerError(to, edge + " enters input port " + e.toPort + ", which this layer does not have");
                }
                ValueRef[] slots = inputs.get(to.id);
                if (slots[inPos] != null) {
                    throw layerError(to, "input port " + e.toPort + " has two incoming edges");
                }
                slots[inPos] = new ValueRef(from.id, outPos);
            }
            for (LayerInfo info : layers.values()) {
                ValueRef[] slots = inputs.get(info.id);
                for (int i = 0; i < slots.length; i++) {
                    if (slots[i] == null) {
                        throw layerError(info, "input port " + info.xml.input.ports.get(i).id + " has no incoming edge (dangling)");
                    }
                }
            }
            return inputs;
        }

        private int parseEdgeInt(String v, String edge) {
            try {
                return Integer.parseInt(v.trim());
            } catch (RuntimeException ex) {
                throw new IrException(xml, edge + ": layer id '" + v + "' is not an integer");
            }
        }

        private IrException layerError(LayerInfo info, String what) {
            return new IrException(xml, info.id, info.xml.name, info.xml.type, what);
        }

        private Node toNode(LayerInfo info, ValueRef[] inputRefs) {
            IrXml.Layer l = info.xml;
            Map<String, String> data = l.data == null ? Map.of() : l.data.attributes;
            Attributes attrs = new Attributes(data, xml, info.id, l.name, l.type);
            List<Port> inPorts = ports(info, l.input, false);
            List<Port> outPorts = ports(info, l.output, true);
            Tensor constant = null;
            if ("Const".equalsIgnoreCase(l.type)) {
                constant = readConstant(info, attrs, outPorts);
            } else if ("Parameter".equalsIgnoreCase(l.type)) {
                checkParameter(info, attrs, outPorts);
            }
            String name = l.name == null ? "" : l.name;
            return new Node(info.id, name, l.type, l.version, attrs, Arrays.asList(inputRefs), inPorts, outPorts,
                    constant, xml);
        }

        private List<Port> ports(LayerInfo info, IrXml.Ports ports, boolean output) {
            List<Port> out = new ArrayList<>();
            if (ports == null) {
                return out;
            }
            for (IrXml.Port p : ports.ports) {
                long[] dims = new long[p.dims.size()];
                for (int i = 0; i < dims.length; i++) {
                    String d = p.dims.get(i).trim();
                    try {
                        dims[i] = Long.parseLong(d);
                    } catch (NumberFormatException e) {
                        throw layerError(info, "port " + p.id + " has dimension '" + d + "': only static shapes are supported");
                    }
                    if (dims[i] < 0) {
                        throw layerError(info, "port " + p.id + " has dimension " + d + ": only static shapes are supported");
                    }
                }
                int[] shape = checkedShape(info, dims, "port " + p.id);
                ElementType type = ElementType.fromPrecision(p.precision);
                if (p.precision != null && type == null) {
                    throw layerError(info, "port " + p.id + " has unknown precision '" + p.precision + "'");
                }
                if (type == null) {
                    // Input ports of v10 files often carry no precision: it is the producer's.
                    type = ElementType.F32;
                }
                List<String> names = (!output || p.names == null || p.names.isBlank())
                        ? List.of() : Arrays.stream(p.names.split(",")).map(String::trim).toList();
                out.add(new Port(type, shape, names));
            }
            return out;
        }

        private int[] checkedShape(LayerInfo info, long[] dims, String where) {
            if (Shapes.elementCountOrMinusOne(dims) < 0) {
                throw layerError(info, where + " has shape " + Arrays.toString(dims) + " with more than "
                        + Shapes.MAX_ELEMENTS + " elements (or a negative dimension)");
            }
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = (int) dims[i];
            }
            return shape;
        }

        private void checkParameter(LayerInfo info, Attributes attrs, List<Port> outPorts) {
            if (outPorts.size() != 1) {
                throw layerError(info, "a Parameter must have exactly one output port, found " + outPorts.size());
            }
            if (attrs.has("element_type") && ElementType.fromIrName(attrs.string("element_type")) == null) {
                throw layerError(info, "unknown element_type '" + attrs.string("element_type") + "'");
            }
        }

        private Tensor readConstant(LayerInfo info, Attributes attrs, List<Port> outPorts) {
            String typeName = attrs.string("element_type");
            ElementType type = ElementType.fromIrName(typeName);
            if (type == null) {
                throw layerError(info, "unknown or unsupported element_type '" + typeName + "'");
            }
            long[] dims = attrs.has("shape") ? attrs.longs("shape") : null;
            if (dims == null) {
                if (outPorts.size() != 1) {
                    throw layerError(info, "a Const needs a shape attribute or exactly one output port");
                }
                dims = Arrays.stream(outPorts.get(0).shape()).asLongStream().toArray();
            }
            int[] shape = checkedShape(info, dims, "shape");
            if (outPorts.size() == 1 && !Arrays.equals(outPorts.get(0).shape(), shape)) {
                throw layerError(info, "shape attribute " + Arrays.toString(shape) + " differs from output port dims "
                        + Arrays.toString(outPorts.get(0).shape()));
            }
            long offset = attrs.longValue("offset");
            long size = attrs.longValue("size");
            long count = Shapes.size(shape);
            long expected = type.byteSize(count);
            if (offset < 0 || size < 0) {
                throw layerError(info, "negative offset " + offset + " or size " + size);
            }
            if (size != expected) {
                throw layerError(info, "size " + size + " bytes does not match shape " + Arrays.toString(shape) + " x "
                        + type.irName() + " = " + expected + " bytes");
            }
            if (offset > bin.capacity() || size > bin.capacity() - offset) {
                throw layerError(info, "data at offset " + offset + " size " + size + " runs past the end of the .bin ("
                        + bin.capacity() + " bytes)");
            }
            double[] values = type.decode(bin, offset, (int) count);
            for (int i = 0; i < values.length; i++) {
                // NaN has no level and no order: quantized weights, kernels and the oracle would each make their own
                // thing of it, and no trained network holds one (a misplaced offset reading garbage does)
                if (Double.isNaN(values[i])) {
                    throw layerError(info, "holds NaN at element " + i + " (offset " + offset + ")");
                }
            }
            return Tensor.of(type, shape, values);
        }
    }

    /** The IR version the reader accepts, for messages and tests. */
    public static List<Integer> supportedVersions() {
        return List.of(10, 11);
    }
}
