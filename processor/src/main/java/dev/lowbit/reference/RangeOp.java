package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * Range (opset1 and opset4): {@code start, start + step, ...} up to but excluding {@code stop}, from three
 * scalar inputs. The element count is {@code max(ceil((stop - start) / step), 0)} computed in double after
 * truncating the inputs toward zero when the output type is integral (OpenVINO's shape inference). Values
 * follow OpenVINO's reference: integers accumulate {@code val += step}; floats are {@code start + i * step}
 * in f32. Range-1's output type is its inputs' type, Range-4's is {@code output_type}. A zero step is an
 * error. Stateless, thread-safe.
 */
final class RangeOp implements OpEvaluator {
    @Override
    public InputArity arity() {
        return InputArity.exactly(3);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        ElementType type = outputType(node, in);
        double start = OpInputs.scalar(node, in[0], "start");
        double stop = OpInputs.scalar(node, in[1], "stop");
        double step = OpInputs.scalar(node, in[2], "step");
        if (!Double.isFinite(start) || !Double.isFinite(stop) || !Double.isFinite(step)) {
            throw new IrException(node, "start, stop and step must be finite, got " + start + ", " + stop + ", " + step);
        }
        if (!type.isFloatingPoint()) {
            start = truncate(start);
            stop = truncate(stop);
            step = truncate(step);
        }
        if (step == 0) {
            throw new IrException(node, "step is 0 (after conversion to " + type.irName() + ")");
        }
        boolean empty = (step > 0 && start >= stop) || (step < 0 && start <= stop);
        double n = empty ? 0 : Math.ceil(Math.abs(stop - start) / Math.abs(step));
        if (n > Integer.MAX_VALUE - 8) {
            throw new IrException(node, "would produce " + n + " elements");
        }
        double[] out = new double[(int) n];
        if (type.isFloatingPoint()) {
            float s = (float) start;
            float d = (float) step;
            for (int i = 0; i < out.length; i++) {
                out[i] = s + (float) i * d;
            }
        } else {
            long v = (long) start;
            for (int i = 0; i < out.length; i++) {
                out[i] = IntegerRange.check(node, type, v);
                v += (long) step;
            }
        }
        return new Tensor[] {Tensor.of(type, new int[] {out.length}, out)};
    }

    private static ElementType outputType(Node node, Tensor[] in) {
        ElementType type;
        if (node.opset() >= 4) {
            String name = node.attributes().string("output_type");
            type = ElementType.fromIrName(name);
            if (type == null || type == ElementType.BOOLEAN) {
                throw node.attributes().error("attribute 'output_type'='" + name + "' is not a numeric element type");
            }
        } else {
            type = in[0].type();
            if (in[1].type() != type || in[2].type() != type) {
                throw new IrException(node, "Range-1 needs start, stop and step of one type, got " + type.irName() + ", "
                        + in[1].type().irName() + ", " + in[2].type().irName());
            }
        }
        if (node.output(0).type() != type) {
            throw new IrException(node, "computes " + type.irName() + " but the output port is declared "
                    + node.output(0).type().irName());
        }
        return type;
    }

    private static double truncate(double v) {
        return v < 0 ? Math.ceil(v) : Math.floor(v);
    }
}
