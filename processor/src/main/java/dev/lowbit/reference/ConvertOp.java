package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * Convert (opset1): changes the element type to {@code destination_type}. Floating to integer truncates
 * toward zero (C++ {@code static_cast}, as OpenVINO's reference does); a value the destination cannot hold
 * (out of range, NaN, infinite) is an error instead of OpenVINO's undefined behaviour. To boolean: non-zero
 * is true. A destination of f16 or bf16 is held in f32, the precision the evaluator computes in (as the CPU
 * plugin runs f16 models), so it does not round to 16 bits. Stateless, thread-safe.
 */
final class ConvertOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(1);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        String name = node.attributes().string("destination_type");
        ElementType to = ElementType.fromIrName(name);
        if (to == null) {
            throw node.attributes().error("attribute 'destination_type'='" + name + "' is not a supported element type");
        }
        ElementType declared = node.output(0).type();
        if (declared != to) {
            throw new IrException(node, "destination_type is " + to.irName() + " but the output port is declared "
                    + declared.irName());
        }
        Tensor x = in[0];
        double[] out = new double[x.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = convert(node, x.get(i), to);
        }
        return new Tensor[] {Tensor.of(to, x.shape(), out)};
    }

    private static double convert(Node node, double v, ElementType to) {
        if (to.isFloatingPoint() || to == ElementType.BOOLEAN) {
            return v; // rounding to the float type, or v != 0 for boolean, happens in Tensor.of
        }
        double truncated = v < 0 ? Math.ceil(v) : Math.floor(v);
        // 2^63 is the first double above Long.MAX_VALUE (which itself rounds up to 2^63 as a double).
        if (Double.isNaN(v) || truncated >= 0x1p63 || truncated < IntegerRange.min(to) || truncated > IntegerRange.max(to)) {
            throw new IrException(node, "value " + v + " cannot be converted to " + to.irName()
                    + " (out of range; undefined in OpenVINO)");
        }
        return truncated + 0.0; // integers have no -0 (-0.0 + 0.0 is +0.0)
    }
}
