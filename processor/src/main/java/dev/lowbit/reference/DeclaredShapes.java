package dev.lowbit.reference;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks that each layer's declared output shape is the one its op's shape rule gives for its declared input
 * shapes and attributes, for the ops whose kernels the build generates from those shapes: convolutions (all three
 * kinds), pooling, MatMul, the element-wise arithmetic with broadcasting, FakeQuantize, Concat, the ops that keep
 * their input's shape, DetectionOutput, and the ops that move data by a Const operand (Reshape, Transpose, Squeeze,
 * Unsqueeze, Gather, StridedSlice, ReduceMean; when the operand is computed, they are left to the folding that
 * evaluates it). The build trusts the declared shapes (the IR's own shape inference wrote them), so a file
 * whose shapes disagree with its attributes, or a pads_begin of the wrong length, must stop here with the layer
 * named, not deep in a kernel's planning with an index out of bounds. The rules are the reference evaluator's own
 * (the same methods its ops call), so the check and the oracle cannot drift apart. Before the shapes, every layer
 * the oracle knows has its input count checked against the count its reference op declares, and the attribute
 * rules a reference op applies only when it evaluates are applied (FakeQuantize's levels, Clamp's bounds, SoftMax's
 * axis, AvgPool's exclude-pad, ShapeOf's output type, MaxPool-8's unused indices output): a file the oracle refuses
 * must not build.
 * Stateless, thread-safe.
 */
public final class DeclaredShapes {
    private static final Set<String> SAME_SHAPE = Set.of("relu", "sigmoid", "clamp", "convert", "softmax", "prelu");
    private static final Set<String> ARITHMETIC = Set.of("add", "subtract", "multiply", "divide");

    private DeclaredShapes() {}

    /**
     * Throws an {@link IrException} naming the first layer whose declared output shape its rule contradicts, or
     * whose attributes break its op's rules where the generated code would not notice (the levels of a
     * FakeQuantize, Clamp's bounds, SoftMax's axis, AvgPool's exclude-pad, ShapeOf's output type, ReduceMean's
     * keep_dims). Run on the IR as read, and again after constant folding, when the operands that a subgraph
     * computes (Range, ShapeOf, Gather of a shape) have become Consts.
     */
    public static void check(Graph graph) {
        for (Node node : graph.nodes()) {
            String type = node.type().toLowerCase(Locale.ROOT);
            checkAttributes(node, type);
            int[] expected = expected(graph, node, type);
            if (expected != null && !Arrays.equals(expected, node.output(0).shape())) {
                throw new IrException(node, "declares output shape " + Arrays.toString(node.output(0).shape())
                        + ", but its input shapes " + inputShapes(node) + " and attributes give "
                        + Arrays.toString(expected));
            }
        }
    }

    /**
     * The input count each reference op declares, an output port, and the attribute rules the reference ops apply
     * when they evaluate, applied at build time (lower-case {@code type}); the rules below may rely on the count and
     * the port. Types the reference evaluator does not know are left to the emitters, which name them.
     */
    private static void checkAttributes(Node node, String type) {
        if (!OpRegistry.supports(type)) {
            return;
        }
        OpRegistry.forNode(node).arity().check(node, node.inputPorts().size());
        if (node.outputs().isEmpty()) {
            throw new IrException(node, "has no output port");
        }
        switch (type) {
            case "fakequantize" -> FakeQuantizeOp.levels(node);
            case "clamp" -> ClampOp.bounds(node);
            case "avgpool" -> AvgPoolOp.excludePad(node);
            case "reducemean" -> node.attributes().bool("keep_dims", false);
            case "shapeof" -> ShapeOfOp.outputType(node);
            case "maxpool" -> MaxPoolOp.checkDeclaredIndices(node);
            case "detectionoutput" -> DetectionOutputOp.requireThreeInputs(node, node.inputPorts().size());
            case "softmax" -> SoftMaxOp.axis(node, node.inputPorts().get(0).shape().length);
            default -> { }
        }
    }

    /** The output shape the node's rule gives, or null for ops this class does not check. */
    private static int[] expected(Graph graph, Node node, String type) {
        if (node.outputs().isEmpty()) {
            return null;
        }
        int[][] in = node.inputPorts().stream().map(p -> p.shape()).toArray(int[][]::new);
        return switch (type) {
            case "convolution" -> ConvolutionOp.outputShape(node, in[0], in[1]);
            case "groupconvolution" -> GroupConvolutionOp.outputShape(node, in[0], in[1]);
            case "convolutionbackpropdata" -> backprop(graph, node, in);
            case "maxpool" -> PoolingWindow.outputShape(node, in[0], node.opset() >= 8);
            case "avgpool" -> PoolingWindow.outputShape(node, in[0], false);
            case "matmul" -> MatMulOp.outputShape(node, in[0], in[1]);
            case "fakequantize" -> FakeQuantizeOp.outputShape(node, in[0], in[1], in[2], in[3], in[4]);
            case "concat" -> ConcatOp.outputShape(node, in);
            case "detectionoutput" -> DetectionOutputOp.outputShape(node, in[0], in[1], in[2]);
            case "shapeof" -> new int[] {in[0].length};
            case "reshape" -> byConstant(graph, node, 1, c -> ReshapeOp.outputShape(node, in[0], c));
            case "transpose" -> byConstant(graph, node, 1, c -> TransposeOp.outputShape(node, in[0], c));
            case "unsqueeze" -> byConstant(graph, node, 1, c -> UnsqueezeOp.outputShape(node, in[0], c));
            case "reducemean" -> byConstant(graph, node, 1, c -> ReduceMeanOp.outputShape(node, in[0], c));
            case "squeeze" -> in.length == 1 ? SqueezeOp.outputShape(node, in[0], null)
                    : byConstant(graph, node, 1, c -> SqueezeOp.outputShape(node, in[0], c));
            case "gather" -> byConstant(graph, node, 2, c -> GatherOp.outputShape(node, in[0], in[1], c));
            case "stridedslice" -> stridedSlice(graph, node, in);
            default -> ARITHMETIC.contains(type) ? Broadcast.outputShape(node, in[0], in[1])
                    : SAME_SHAPE.contains(type) ? in[0].clone() : null;
        };
    }

    /** The rule applied to the Const that feeds input {@code position}, or null when that input is computed. */
    private static int[] byConstant(Graph graph, Node node, int position, Function<Tensor, int[]> rule) {
        Node producer = graph.producer(node, position);
        return producer.is("Const") ? rule.apply(producer.constant()) : null;
    }

    /** StridedSlice's rule when begin, end and the optional stride are all Consts, else null. */
    private static int[] stridedSlice(Graph graph, Node node, int[][] in) {
        Tensor[] operands = new Tensor[in.length];
        for (int i = 1; i < in.length; i++) {
            Node producer = graph.producer(node, i);
            if (!producer.is("Const")) {
                return null;
            }
            operands[i] = producer.constant();
        }
        return StridedSliceOp.outputShape(node, in[0], operands[1], operands[2], in.length > 3 ? operands[3] : null);
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
        return ConvolutionBackpropDataOp.outputShape(node, in[0], in[1], outputShape);
    }

    private static String inputShapes(Node node) {
        return node.inputPorts().stream().map(p -> Arrays.toString(p.shape())).toList().toString();
    }
}
