package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.ir.IrException;
import java.util.Locale;

/**
 * The {@code auto_pad} attribute of convolutions and pooling: how pads are chosen. OpenVINO compares the value
 * case-insensitively ("SAME_LOWER" and "same_lower" are the same) and treats "notset" as "explicit". Immutable.
 */
enum AutoPad {
    /** pads_begin / pads_end as written. */
    EXPLICIT,
    /** No padding. */
    VALID,
    /** Pads so that out = ceil(in / stride); an odd total puts the extra pad at the end. */
    SAME_UPPER,
    /** As SAME_UPPER, but an odd total puts the extra pad at the beginning. */
    SAME_LOWER;

    static AutoPad of(Node node) {
        String value = node.attributes().string("auto_pad", "explicit").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "explicit", "notset", "" -> EXPLICIT;
            case "valid" -> VALID;
            case "same_upper" -> SAME_UPPER;
            case "same_lower" -> SAME_LOWER;
            default -> throw new IrException(node, "attribute 'auto_pad'='" + value
                    + "' is not one of explicit, valid, same_upper, same_lower");
        };
    }

    boolean isSame() {
        return this == SAME_UPPER || this == SAME_LOWER;
    }
}
