package dev.lowbit.graph;

import java.util.List;

/**
 * The public names of a model's inputs and outputs. An input is named after its Parameter layer; an output
 * after its Result layer with the IR v10 suffix {@code /sink_port_N} removed (so "detection_out/sink_port_0"
 * is "detection_out"). Stateless, thread-safe.
 */
public final class Signature {
    private Signature() {}

    public static String inputName(Node parameter) {
        return parameter.name();
    }

    public static String outputName(Node result) {
        String n = result.name();
        int cut = n.lastIndexOf("/sink_port_");
        return cut > 0 ? n.substring(0, cut) : n;
    }

    public static List<String> inputNames(Graph g) {
        return g.parameters().stream().map(Signature::inputName).toList();
    }

    public static List<String> outputNames(Graph g) {
        return g.results().stream().map(Signature::outputName).toList();
    }
}
