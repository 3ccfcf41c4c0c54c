package dev.lowbit.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Port;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.IrReader;
import dev.lowbit.testing.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the constant and shape subgraphs of the real OMZ models through the element-wise/shape ops and checks
 * every computed shape against the shape the IR declares (OpenVINO's own shape inference wrote those).
 * A node is evaluated when all its inputs are known (constants, weight decompression, shape arithmetic),
 * when it is a ShapeOf, or when one of its inputs comes from a ShapeOf (a Reshape's target shape, a
 * ReduceMean's Range-made axes); activations it also takes, which need ops outside this family, are zeros
 * of their declared shape. So a wrong slice, gather, squeeze or range shows up as a wrong Reshape or
 * ReduceMean output shape, or as a wrong PriorBox image size. (Element-wise ops on activations are left to
 * the unit tests: evaluating them on zeros would check little and take long.)
 */
class RealModelShapeSemanticsTest {
    static Stream<Path> models() {
        return SharedData.allModelXmls().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyElementwiseAndShapeOpMatchesTheDeclaredShapes(Path xml) {
        Graph g = new IrReader().read(xml);
        Map<String, OpEvaluator> ours = new HashMap<>();
        ElementwiseAndShapeOps.registerAll(ours);
        Map<String, OpEvaluator> byLowerName = new HashMap<>();
        ours.forEach((k, v) -> byLowerName.put(k.toLowerCase(Locale.ROOT), v));

        Map<ValueRef, Tensor> values = new HashMap<>(); // values computed for real
        Set<ValueRef> fromShapes = new HashSet<>(); // values that depend on a ShapeOf
        Map<String, Integer> evaluated = new TreeMap<>();
        for (Node n : g.nodes()) {
            if (n.is("Const")) {
                values.put(n.out(0), n.constant());
                continue;
            }
            if (!byLowerName.containsKey(n.type().toLowerCase(Locale.ROOT))) {
                continue;
            }
            boolean allKnown = n.inputs().stream().allMatch(values::containsKey);
            boolean shapeDriven = n.is("ShapeOf") || n.inputs().stream().anyMatch(fromShapes::contains);
            if (!allKnown && !shapeDriven) {
                continue;
            }
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                ValueRef ref = n.inputs().get(i);
                in[i] = values.containsKey(ref) ? values.get(ref) : zeros(g.port(ref));
            }
            Tensor[] out = ReferenceEvaluator.evaluate(n, in); // throws if a shape differs from the IR's
            if (allKnown || n.is("ShapeOf")) {
                for (int i = 0; i < out.length; i++) {
                    values.put(n.out(i), out[i]);
                }
            }
            if (shapeDriven) {
                fromShapes.add(n.out(0));
            }
            evaluated.merge(n.type(), 1, Integer::sum);
        }
        checkPriorBoxImageSizes(g, values);
        System.out.println(SharedData.label(xml) + ": evaluated " + evaluated);
        for (String type : List.of("ShapeOf", "StridedSlice", "Gather", "Squeeze", "Range", "ReduceMean")) {
            long inModel = g.nodes().stream().filter(n -> n.is(type)).count();
            assertEquals(inModel, (long) evaluated.getOrDefault(type, 0), "every " + type + " of the model is evaluated");
        }
    }

    /**
     * PriorBox's second input is the image size: the computed shape subgraph must give the Parameter's
     * [H, W] (an external fact about the model), and its first input a feature-map size no larger.
     */
    private static void checkPriorBoxImageSizes(Graph g, Map<ValueRef, Tensor> values) {
        int[] image = g.parameters().get(0).output(0).shape();
        for (Node n : g.nodes()) {
            if (!n.is("PriorBox") && !n.is("PriorBoxClustered")) {
                continue;
            }
            long[] featureMap = values.get(n.input(0)).toLongArray();
            long[] imageSize = values.get(n.input(1)).toLongArray();
            assertArrayEquals(new long[] {image[2], image[3]}, imageSize, n.describe());
            assertEquals(2, featureMap.length, n.describe());
            assertTrue(featureMap[0] > 0 && featureMap[0] <= image[2] && featureMap[1] > 0 && featureMap[1] <= image[3],
                    n.describe() + " feature map " + Arrays.toString(featureMap));
        }
    }

    private static Tensor zeros(Port port) {
        return Tensor.of(port.type(), port.shape(), new double[port.size()]);
    }
}
