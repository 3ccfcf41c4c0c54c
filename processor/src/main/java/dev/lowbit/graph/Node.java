package dev.lowbit.graph;

import dev.lowbit.ir.IrException;
import java.nio.file.Path;
import java.util.List;

/**
 * One operation of a graph: the IR layer's id, name, type and opset version, its attributes, where each
 * input comes from, and its declared output ports. Const nodes carry their value. Immutable, thread-safe.
 *
 * @param inputs    the producer of each input, by input position
 * @param inputPorts the input ports as the IR declares them (shapes used for validation)
 * @param outputs   the output ports, by position
 * @param constant  the value of a Const node, null otherwise
 * @param source    the .xml file the node came from, for error messages
 */
public record Node(
        int id,
        String name,
        String type,
        String version,
        Attributes attributes,
        List<ValueRef> inputs,
        List<Port> inputPorts,
        List<Port> outputs,
        Tensor constant,
        Path source) {

    public Node {
        inputs = List.copyOf(inputs);
        inputPorts = List.copyOf(inputPorts);
        outputs = List.copyOf(outputs);
    }

    public boolean is(String opType) {
        return type.equalsIgnoreCase(opType);
    }

    public ValueRef input(int position) {
        if (position >= inputs.size()) {
            throw new IrException(this, "expected at least " + (position + 1) + " inputs, found " + inputs.size());
        }
        return inputs.get(position);
    }

    public Port output(int position) {
        if (position >= outputs.size()) {
            throw new IrException(this, "expected at least " + (position + 1) + " outputs, found " + outputs.size());
        }
        return outputs.get(position);
    }

    public ValueRef out(int position) {
        return new ValueRef(id, position);
    }

    /** The opset number of {@link #version()} ("opset8" gives 8), or 1 when absent or not an opset. */
    public int opset() {
        if (version != null && version.startsWith("opset")) {
            try {
                return Integer.parseInt(version.substring(5));
            } catch (NumberFormatException e) {
                return 1;
            }
        }
        return 1;
    }

    /** "layer id=3 name='conv1' type=Convolution", the prefix of every message about this node. */
    public String describe() {
        return IrException.describeLayer(id, name, type);
    }

    @Override
    public String toString() {
        return describe() + " " + inputs + " -> " + outputs;
    }
}
