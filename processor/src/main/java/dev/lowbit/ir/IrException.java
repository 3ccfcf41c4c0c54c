package dev.lowbit.ir;

import dev.lowbit.graph.Node;
import java.nio.file.Path;

/**
 * Something about an IR model is wrong or unsupported. The message always names the file and, where one is
 * involved, the layer (id, name, type), then says what is wrong. Immutable, thread-safe.
 */
public final class IrException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IrException(Path file, String what) {
        super(file + ": " + what);
    }

    public IrException(Path file, String what, Throwable cause) {
        super(file + ": " + what, cause);
    }

    public IrException(Path file, int layerId, String layerName, String layerType, String what) {
        super(file + ": " + describeLayer(layerId, layerName, layerType) + ": " + what);
    }

    public IrException(Node node, String what) {
        this(node.source(), node.id(), node.name(), node.type(), what);
    }

    public static String describeLayer(int id, String name, String type) {
        return "layer id=" + id + " name='" + name + "' type=" + type;
    }
}
