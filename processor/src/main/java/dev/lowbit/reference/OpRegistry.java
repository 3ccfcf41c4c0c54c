package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The op types the reference evaluator knows, by case-insensitive IR type name. Immutable, thread-safe. */
public final class OpRegistry {
    private static final Map<String, OpEvaluator> OPS = build();

    private OpRegistry() {}

    private static Map<String, OpEvaluator> build() {
        Map<String, OpEvaluator> ops = new HashMap<>();
        ElementwiseAndShapeOps.registerAll(ops);
        SpatialAndDetectionOps.registerAll(ops);
        Map<String, OpEvaluator> lower = new HashMap<>();
        ops.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return Map.copyOf(lower);
    }

    public static boolean supports(String opType) {
        return OPS.containsKey(opType.toLowerCase(Locale.ROOT));
    }

    public static Set<String> supportedTypes() {
        return OPS.keySet();
    }

    /** The evaluator for a node; an unsupported op type is an error naming the layer. */
    public static OpEvaluator forNode(Node node) {
        OpEvaluator op = OPS.get(node.type().toLowerCase(Locale.ROOT));
        if (op == null) {
            throw new IrException(node, "unsupported op type '" + node.type() + "' (" + node.version() + ")");
        }
        return op;
    }
}
