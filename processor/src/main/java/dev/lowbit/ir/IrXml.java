package dev.lowbit.ir;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The IR .xml as Jackson binds it: exactly the elements and attributes the reader uses, everything else
 * ({@code rt_info}, {@code quantization_parameters}, {@code meta_data}) ignored. Mutable binding targets,
 * confined to {@link IrReader}.
 */
final class IrXml {
    private IrXml() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Net {
        @JacksonXmlProperty(isAttribute = true)
        public String name;

        @JacksonXmlProperty(isAttribute = true)
        public String version;

        @JacksonXmlElementWrapper(localName = "layers")
        @JacksonXmlProperty(localName = "layer")
        public List<Layer> layers = new ArrayList<>();

        @JacksonXmlElementWrapper(localName = "edges")
        @JacksonXmlProperty(localName = "edge")
        public List<Edge> edges = new ArrayList<>();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Layer {
        @JacksonXmlProperty(isAttribute = true)
        public String id;

        @JacksonXmlProperty(isAttribute = true)
        public String name;

        @JacksonXmlProperty(isAttribute = true)
        public String type;

        @JacksonXmlProperty(isAttribute = true)
        public String version;

        public Data data;
        public Ports input;
        public Ports output;
    }

    /** {@code <data>}: arbitrary attributes; nested elements (none in the ops we read) are dropped. */
    static final class Data {
        final Map<String, String> attributes = new LinkedHashMap<>();

        @JsonAnySetter
        public void set(String key, Object value) {
            if (value instanceof String s) {
                attributes.put(key, s);
            }
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Ports {
        @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "port")
        public List<Port> ports = new ArrayList<>();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Port {
        @JacksonXmlProperty(isAttribute = true)
        public String id;

        @JacksonXmlProperty(isAttribute = true)
        public String precision;

        @JacksonXmlProperty(isAttribute = true)
        public String names;

        @JacksonXmlElementWrapper(useWrapping = false)
        @JacksonXmlProperty(localName = "dim")
        public List<String> dims = new ArrayList<>();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Edge {
        @JacksonXmlProperty(isAttribute = true, localName = "from-layer")
        public String fromLayer;

        @JacksonXmlProperty(isAttribute = true, localName = "from-port")
        public String fromPort;

        @JacksonXmlProperty(isAttribute = true, localName = "to-layer")
        public String toLayer;

        @JacksonXmlProperty(isAttribute = true, localName = "to-port")
        public String toPort;
    }
}
