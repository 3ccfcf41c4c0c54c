package dev.lowbit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.codegen.Int8Emitters;
import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrReader;
import dev.lowbit.reference.ReferenceEvaluator;
import dev.lowbit.runtime.InferenceModel;
import dev.lowbit.runtime.vision.ImageTensors;
import dev.lowbit.transform.lpt.Int8Simulator;
import dev.lowbit.transform.lpt.LowPrecisionPipeline;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The check of an INT8 variant, which the processor compiles on its int8 path: its outputs are compared with the
 * {@link Int8Simulator} (the lowering executed exactly, proven against the oracle by the processor's lpt tests)
 * with the border term of fractional zero points where the kernels carry it, and reported against the oracle.
 * Regression outputs: max difference over the output range <= 1e-2 (the kernels' epilogue folds the
 * FakeQuantize scale into its constants, so a level can flip where a value lies within a few f32 ulps of a
 * rounding boundary, moving an output by about one output step; 1e-2 of the range allows a few such flips and
 * still catches a wrong layer). Detections: the rows with confidence >= 0.5 agree in count and label with the
 * simulator's and the oracle's, boxes within 0.01 of the image size. Stateless.
 */
final class Int8VariantCheck {
    static final double BOUND = 1e-2;

    private Int8VariantCheck() {}

    static boolean applies(SharedModelVariants.Variant v) {
        return v.precision().toUpperCase(java.util.Locale.ROOT).contains("INT8");
    }

    static void check(SharedModelVariants.Variant v, BufferedImage photo) throws Exception {
        InferenceModel model = (InferenceModel) v.generatedClass().getConstructor().newInstance();
        Graph graph = new IrReader().read(v.xml());
        Node param = graph.parameters().get(0);
        int[] shape = param.output(0).shape();
        float[] input = shape[1] == 1 ? ImageTensors.stretchGray(photo, shape[3], shape[2])
                : ImageTensors.stretchBgr(photo, shape[3], shape[2]);
        String name = Signature.inputName(param);
        Map<String, float[]> got = model.infer(Map.of(name, input));
        Map<String, Tensor> sim = new Int8Simulator(new LowPrecisionPipeline().lower(graph),
                        l -> Int8Emitters.carriesBorderTerm(l, false))
                .run(Map.of(name, Tensor.f32(shape, input)));
        Map<String, Tensor> want = new ReferenceEvaluator(graph).run(Map.of(name, Tensor.f32(shape, input)));
        assertEquals(want.keySet(), got.keySet(), v.label() + " output names");
        for (Node r : graph.results()) {
            String out = Signature.outputName(r);
            float[] o = got.get(out);
            if (graph.node(r.input(0).node()).is("DetectionOutput")) {
                List<float[]> mine = confident(o), simRows = confident(sim.get(out).toFloatArray()),
                        refRows = confident(want.get(out).toFloatArray());
                double ds = boxDistance(simRows, mine), dr = boxDistance(refRows, mine);
                System.out.printf("%s %s (int8): %d confident detections (simulator %d, oracle %d), max box "
                        + "difference vs simulator %.3g, vs oracle %.3g%n", v.label(), out, mine.size(), simRows.size(),
                        refRows.size(), ds, dr);
                assertTrue(ds <= 0.01 && dr <= 0.01, v.label() + " " + out + ": confident detections differ");
                continue;
            }
            double es = SharedModelsMatchOracleTest.relativeError(sim.get(out).toFloatArray(), o);
            double er = SharedModelsMatchOracleTest.relativeError(want.get(out).toFloatArray(), o);
            System.out.printf("%s %s (int8): relative error vs simulator %.3g, vs oracle %.3g (%d values)%n", v.label(),
                    out, es, er, o.length);
            assertTrue(es <= BOUND, v.label() + " output " + out + ": relative error vs the simulator " + es);
        }
    }

    /** Detection rows with confidence >= 0.5, sorted by label then descending score. */
    static List<float[]> confident(float[] y) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i + 7 <= y.length && y[i] != -1f; i += 7) {
            if (y[i + 2] >= 0.5f) {
                rows.add(Arrays.copyOfRange(y, i, i + 7));
            }
        }
        rows.sort(Comparator.<float[]>comparingDouble(r -> r[1]).thenComparingDouble(r -> -r[2]));
        return rows;
    }

    /** Largest coordinate difference of matched rows; infinite when the counts or labels differ. */
    static double boxDistance(List<float[]> a, List<float[]> b) {
        if (a.size() != b.size()) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i)[1] != b.get(i)[1]) {
                return Double.POSITIVE_INFINITY;
            }
            for (int k = 3; k < 7; k++) {
                d = Math.max(d, Math.abs(a.get(i)[k] - b.get(i)[k]));
            }
        }
        return d;
    }
}
