package dev.lowbit.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.codegen.Emitters;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.IrReader;
import dev.lowbit.testing.SharedData;
import dev.lowbit.transform.ConstantFolding;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The memory plan: no two values alive at the same time share a buffer, buffers are big enough, and reused. */
class PlannerTest {
    static ModelPlan plan(Path xml) {
        return new Planner(new Emitters()).plan(new ConstantFolding().fold(new IrReader().read(xml)));
    }

    @Test
    void tinyModelReusesBuffersWithoutOverlap() {
        ModelPlan p = plan(Path.of("src/test/resources/codegen/tiny_cnn.xml"));
        assertEquals(9, p.steps().size(), p.toString()); // the 10 computed layers but Reshape, a view
        checkNoOverlap(p);
        // 9 steps with 9 scratch values, but at most three are alive at once
        assertTrue(p.bufferSizes().length <= 3, p.toString());
    }

    @Test
    void elementwiseLayersWriteOverAnInputThatDiesThere() {
        ModelPlan p = plan(Path.of("src/test/resources/codegen/tiny_cnn.xml"));
        Node add = p.graph().nodes().stream().filter(n -> n.name().equals("conv1/add")).findFirst().orElseThrow();
        assertEquals(p.storageOf(add.input(0)), p.storageOf(add.out(0)), p.toString()); // conv1's output dies here
        // the pooled value is read by Sigmoid and by the MatMul (through a Reshape): Sigmoid must not overwrite it
        Node sigmoid = p.graph().nodes().stream().filter(n -> n.is("Sigmoid")).findFirst().orElseThrow();
        assertTrue(!p.storageOf(sigmoid.input(0)).equals(p.storageOf(sigmoid.out(0))), p.toString());
    }

    @Test
    void viewsShareTheStorageOfTheirInput() {
        ModelPlan p = plan(Path.of("src/test/resources/codegen/tiny_cnn.xml"));
        Node flatten = p.graph().nodes().stream().filter(n -> n.name().equals("flatten")).findFirst().orElseThrow();
        assertEquals(p.storageOf(flatten.input(0)), p.storageOf(flatten.out(0)));
        assertTrue(p.steps().stream().noneMatch(s -> s.node().is("Reshape")));
    }

    @Test
    void realModelsGetAValidMemoryPlan() {
        for (String m : List.of("landmarks-regression-retail-0009/FP16-INT8/landmarks-regression-retail-0009.xml",
                "vehicle-attributes-recognition-barrier-0039/FP16-INT8/vehicle-attributes-recognition-barrier-0039.xml",
                "text-image-super-resolution-0001/FP32/text-image-super-resolution-0001.xml")) {
            ModelPlan p = plan(SharedData.models().resolve(m));
            checkNoOverlap(p);
            long values = p.steps().size();
            assertTrue(p.bufferSizes().length < values, m + ": " + p.bufferSizes().length + " buffers for " + values + " steps");
        }
    }

    /** Replays the steps and checks that no step overwrites a buffer holding a value still to be read. */
    static void checkNoOverlap(ModelPlan p) {
        java.util.Set<Integer> stepIds = new java.util.HashSet<>();
        p.steps().forEach(s -> stepIds.add(s.node().id()));
        Map<ValueRef, Integer> lastRead = new HashMap<>(); // by root value (views resolved to what they view)
        for (int i = 0; i < p.steps().size(); i++) {
            for (ValueRef in : p.steps().get(i).node().inputs()) {
                lastRead.merge(root(p, stepIds, in), i, Math::max);
            }
        }
        for (Node r : p.graph().results()) {
            lastRead.put(root(p, stepIds, r.input(0)), Integer.MAX_VALUE);
        }
        Map<Integer, ValueRef> holder = new HashMap<>();
        for (int i = 0; i < p.steps().size(); i++) {
            Node n = p.steps().get(i).node();
            for (ValueRef in : n.inputs()) {
                if (p.storageOf(in) instanceof Storage.Scratch s) {
                    assertEquals(root(p, stepIds, in), holder.get(s.buffer()), n.describe() + " reads " + in);
                }
            }
            for (int o = 0; o < n.outputs().size(); o++) {
                if (p.storage().get(n.out(o)) instanceof Storage.Scratch s) {
                    ValueRef previous = holder.get(s.buffer());
                    if (previous != null) {
                        int until = lastRead.getOrDefault(previous, -1);
                        assertTrue(until <= i, n.describe() + " overwrites buffer " + s.buffer() + " holding "
                                + previous + ", read until step " + until);
                    }
                    assertTrue(p.bufferSizes()[s.buffer()] >= n.output(o).size(), "buffer too small for " + n.describe());
                    holder.put(s.buffer(), n.out(o));
                }
            }
        }
    }

    /** The value a view (Reshape, Squeeze, ...) ultimately shows: the output of a step, a Parameter or a Const. */
    private static ValueRef root(ModelPlan p, java.util.Set<Integer> stepIds, ValueRef v) {
        Node producer = p.graph().node(v.node());
        while (!stepIds.contains(producer.id()) && !producer.is("Parameter") && !producer.is("Const")) {
            v = producer.input(0);
            producer = p.graph().node(v.node());
        }
        return v;
    }
}
