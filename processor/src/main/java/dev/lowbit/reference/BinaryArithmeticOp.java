package dev.lowbit.reference;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;

/**
 * Add, Subtract, Multiply and Divide (opset1) with numpy broadcasting. Floating outputs are computed in
 * double and rounded to f32 by the output tensor, which gives exactly the IEEE f32 result for these four
 * operations (double has more than twice f32's precision). Integer outputs are computed exactly in long;
 * a result that leaves the output type's range is an error. Stateless, thread-safe.
 */
final class BinaryArithmeticOp implements OpEvaluator {
    /** The arithmetic operation. */
    enum Kind { ADD, SUBTRACT, MULTIPLY, DIVIDE }

    private final Kind kind;

    BinaryArithmeticOp(Kind kind) {
        this.kind = kind;
    }

    @Override
    public InputArity arity() {
        return InputArity.exactly(2);
    }

    @Override
    public Tensor[] evaluate(Node node, Tensor[] in) {
        Tensor a = in[0];
        Tensor b = in[1];
        int[] shape = Broadcast.outputShape(node, a.shape(), b.shape());
        ElementType type = node.output(0).type();
        // Divide's m_pythondiv (floor division) only changes integer results.
        boolean pythonDiv = kind == Kind.DIVIDE && node.attributes().bool("m_pythondiv", true);
        double[] out = new double[Shapes.size(shape)];
        StridedWalk walk = StridedWalk.of(shape, Broadcast.strides(a.shape(), shape), Broadcast.strides(b.shape(), shape));
        for (int i = 0; i < out.length; i++) {
            double x = a.get(walk.offset(0));
            double y = b.get(walk.offset(1));
            out[i] = type.isFloatingPoint() ? real(x, y) : integer(node, type, (long) x, (long) y, pythonDiv);
            walk.advance();
        }
        return new Tensor[] {Tensor.of(type, shape, out)};
    }

    private double real(double x, double y) {
        return switch (kind) {
            case ADD -> x + y;
            case SUBTRACT -> x - y;
            case MULTIPLY -> x * y;
            case DIVIDE -> x / y;
        };
    }

    private double integer(Node node, ElementType type, long x, long y, boolean pythonDiv) {
        try {
            long r = switch (kind) {
                case ADD -> Math.addExact(x, y);
                case SUBTRACT -> Math.subtractExact(x, y);
                case MULTIPLY -> Math.multiplyExact(x, y);
                case DIVIDE -> {
                    if (y == 0) {
                        throw new IrException(node, "integer division by zero (" + x + " / 0)");
                    }
                    yield pythonDiv ? Math.floorDiv(x, y) : x / y;
                }
            };
            return IntegerRange.check(node, type, r);
        } catch (ArithmeticException e) {
            throw new IrException(node, "integer overflow in " + x + " " + kind.name().toLowerCase() + " " + y);
        }
    }
}
