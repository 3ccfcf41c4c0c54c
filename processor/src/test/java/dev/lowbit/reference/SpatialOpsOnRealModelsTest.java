package dev.lowbit.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrReader;
import dev.lowbit.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every convolution, pooling, MatMul, prior-box and DetectionOutput layer of the real OMZ models, one layer
 * at a time: the output shape this package computes from the layer's attributes and declared input shapes
 * must equal the shape the IR declares (the attributes as real IRs write them: "1.0,1.0" dilations, ceil
 * pooling, step-only PriorBoxClustered, opset8 DetectionOutput without num_classes). Convolutions are
 * checked through their geometry only (running them all would take minutes); the cheaper ops are evaluated
 * on pseudo-random inputs, which the evaluator checks against the declared output shapes.
 */
class SpatialOpsOnRealModelsTest {
    static Stream<Path> models() {
        return SharedData.allModelXmls().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void computedShapesMatchTheDeclaredShapes(Path xml) {
        Graph g = new IrReader().read(xml);
        Map<String, Integer> checked = new TreeMap<>();
        for (Node n : g.nodes()) {
            boolean done = switch (n.type()) {
                case "Convolution", "GroupConvolution", "ConvolutionBackpropData" -> checkConvolutionGeometry(g, n);
                case "MaxPool", "AvgPool", "MatMul", "DetectionOutput" -> evaluateOnRandomInputs(g, n);
                case "PriorBox", "PriorBoxClustered" -> evaluatePriors(g, n);
                default -> false;
            };
            if (done) {
                checked.merge(n.type(), 1, Integer::sum);
            }
        }
        System.out.println(SharedData.label(xml) + ": checked " + checked);
    }

    private static boolean checkConvolutionGeometry(Graph g, Node n) {
        int[] in = n.inputPorts().get(0).shape();
        int[] w = n.inputPorts().get(1).shape();
        int spatialRank = in.length - 2;
        WindowAttributes attrs = WindowAttributes.convolution(n, spatialRank);
        int[] inSpatial = SpatialShape.tail(in, 2);
        int[] expected = SpatialShape.tail(n.output(0).shape(), 2);
        ConvGeometry geometry;
        if (n.is("ConvolutionBackpropData")) {
            int[] outputShape = n.inputs().size() == 3 ? g.producer(n, 2).constant().toIntArray() : null;
            geometry = ConvGeometry.backprop(n, attrs, WindowAttributes.nonNegative(n, "output_padding", spatialRank),
                    inSpatial, SpatialShape.tail(w, 2), outputShape);
        } else {
            int leading = n.is("GroupConvolution") ? 3 : 2;
            geometry = ConvGeometry.forward(n, attrs, inSpatial, SpatialShape.tail(w, leading));
        }
        assertArrayEquals(expected, geometry.outputSpatial(), n.describe());
        return true;
    }

    private static boolean evaluateOnRandomInputs(Graph g, Node n) {
        SplittableRandom random = new SplittableRandom(n.id());
        Tensor[] inputs = new Tensor[n.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            Node producer = g.producer(n, i);
            if (producer.is("Const")) {
                inputs[i] = producer.constant();
            } else {
                int[] shape = n.inputPorts().get(i).shape();
                double[] v = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
                for (int k = 0; k < v.length; k++) {
                    v[k] = random.nextDouble();
                }
                inputs[i] = Tensor.of(ElementType.F32, shape, v);
            }
        }
        Tensor[] out = ReferenceEvaluator.evaluate(n, inputs);
        assertTrue(out.length >= n.outputs().size(), n.describe());
        return true;
    }

    /** Prior boxes get their feature-map and image sizes from the ShapeOf (or Const) their inputs come from. */
    private static boolean evaluatePriors(Graph g, Node n) {
        Tensor layer = hw(g, n, 0);
        Tensor image = hw(g, n, 1);
        ReferenceEvaluator.evaluate(n, new Tensor[] {layer, image});
        return true;
    }

    private static Tensor hw(Graph g, Node n, int input) {
        Node cur = g.producer(n, input);
        while (!cur.is("ShapeOf") && !cur.is("Const")) {
            cur = g.producer(cur, 0);
        }
        int[] dims = cur.is("Const") ? cur.constant().toIntArray() : cur.inputPorts().get(0).shape();
        int[] last = Arrays.copyOfRange(dims, dims.length - 2, dims.length);
        return Tensor.of(ElementType.I64, new int[] {2}, new double[] {last[0], last[1]});
    }
}
