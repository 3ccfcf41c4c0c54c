package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * Clamp (opset1): limits values to [{@code min}, {@code max}]. For floating outputs the bounds are first
 * rounded to f32 (the compute type); for integer outputs {@code min} rounds up and {@code max} rounds down,
 * as OpenVINO does. NaN passes through. Stateless, thread-safe.
 */
final class ClampOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        double[] bounds = bounds(node);
        double min = bounds[0], max = bounds[1];
        ElementType type = node.output(0).type();
        double lo = type.isFloatingPoint() ? type.normalize(min) : Math.ceil(min);
        double hi = type.isFloatingPoint() ? type.normalize(max) : Math.floor(max);
        double[] out = in[0].toDoubleArray();
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] < lo ? lo : out[i] > hi ? hi : out[i];
        }
        return new Tensor[] {Tensor.of(type, in[0].shape(), out)};
    }

    /** {min, max}, after checking that min is not greater than max. */
    static double[] bounds(Node node) {
        double min = node.attributes().doubleValue("min");
        double max = node.attributes().doubleValue("max");
        if (!(min <= max)) {
            throw new IrException(node, "min " + min + " must not be greater than max " + max);
        }
        return new double[] {min, max};
    }
}
