package dev.lowbit.reference;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Checks that each layer's declared output shape is the one its op's shape rule gives for its declared input
 * shapes and attributes, for the ops whose kernels the build generates from those shapes: convolutions (all three
 * kinds), pooling, MatMul, the element-wise arithmetic with broadcasting, FakeQuantize, Concat and the ops that keep
 * their input's shape. The build trusts the declared shapes (the IR's own shape inference wrote them), so a file
 * whose shapes disagree with its attributes, or a pads_begin of the wrong length, must stop here with the layer
 * named, not deep in a kernel's planning with an index out of bounds. The rules are the reference evaluator's own
 * (the same methods its ops call), so the check and the oracle cannot drift apart. Stateless, thread-safe.
 */
public final class DeclaredShapes {
    private static final Set<String> SAME_SHAPE = Set.of("relu", "sigmoid", "clamp", "convert", "softmax", "prelu");
    private static final Set<String> ARITHMETIC = Set.of("add", "subtract", "multiply", "divide");

    private DeclaredShapes() {}

    /** Throws an {@link IrException} naming the first layer whose declared output shape its rule contradicts. */
    public static void check(Graph graph) {
        for (Node node : graph.nodes()) {
            int[] expected = expected(graph, node);
            if (expected != null && !Arrays.equals(expected, node.output(0).shape())) {
                throw new IrException(node, "declares output shape " + Arrays.toString(node.output(0).shape())
                        + ", but its input shapes " + inputShapes(node) + " and attributes give "
                        + Arrays.toString(expected));
            }
        }
    }

    /** The output shape the node's rule gives, or null for ops this class does not check. */
    private static int[] expected(Graph graph, Node node) {
        String type = node.type().toLowerCase(Locale.ROOT);
        if (node.outputs().isEmpty()) {
            return null;
        }
        int[][] in = node.inputPorts().stream().map(p -> p.shape()).toArray(int[][]::new);
        return switch (type) {
            case "convolution" -> ConvolutionOp.outputShape(node, input(node, in, 0), input(node, in, 1));
            case "groupconvolution" -> GroupConvolutionOp.outputShape(node, input(node, in, 0), input(node, in, 1));
            case "convolutionbackpropdata" -> backprop(graph, node, in);
            case "maxpool" -> PoolingWindow.outputShape(node, input(node, in, 0), node.opset() >= 8);
            case "avgpool" -> PoolingWindow.outputShape(node, input(node, in, 0), false);
            case "matmul" -> MatMulOp.outputShape(node, input(node, in, 0), input(node, in, 1));
            case "fakequantize" -> FakeQuantizeOp.outputShape(node, input(node, in, 0), input(node, in, 1),
                    input(node, in, 2), input(node, in, 3), input(node, in, 4));
            case "concat" -> ConcatOp.outputShape(node, atLeastOne(node, in));
            default -> ARITHMETIC.contains(type) ? Broadcast.outputShape(node, input(node, in, 0), input(node, in, 1))
                    : SAME_SHAPE.contains(type) ? input(node, in, 0).clone() : null;
        };
    }

    private static int[][] atLeastOne(Node node, int[][] in) {
        input(node, in, 0);
        return in;
    }

    private static int[] input(Node node, int[][] in, int position) {
        if (position >= in.length) {
            throw new IrException(node, "expected at least " + (position + 1) + " inputs, found " + in.length);
        }
        return in[position];
    }

    /** The transposed convolution's rule, or null when its output_shape input is computed rather than a Const. */
    private static int[] backprop(Graph graph, Node node, int[][] in) {
        Tensor outputShape = null;
        if (in.length > 2) {
            Node producer = graph.producer(node, 2);
            if (!producer.is("Const")) {
                return null;
            }
            outputShape = producer.constant();
        }
        return ConvolutionBackpropDataOp.outputShape(node, input(node, in, 0), input(node, in, 1), outputShape);
    }

    private static String inputShapes(Node node) {
        return node.inputPorts().stream().map(p -> Arrays.toString(p.shape())).toList().toString();
    }
}
