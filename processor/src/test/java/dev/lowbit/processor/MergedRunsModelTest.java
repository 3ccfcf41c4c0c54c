package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrReader;
import dev.lowbit.reference.ReferenceEvaluator;
import dev.lowbit.runtime.InferenceModel;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny_int8_concat fixture (make_fixtures.py: two 1x1 convolutions over a Concat of two differently quantized
 * branches, one ending in ReLU + FakeQuantize, one in its bias as an f32 model output) compiled twice: by default
 * both run in one pass with each branch's weights scaled to one grid (rounded f32 sums), which the report and the
 * build NOTE say; with {@code exactInt8 = true} as one exact pass per branch and a combine. Both agree with the
 * oracle, the levels within one step and the f32 output within its f32 rounding, and with each other in all but a
 * few levels.
 */
class MergedRunsModelTest {
    /** out_a's FakeQuantize: 256 levels over [0, 6]. */
    private static final double STEP = 6.0 / 255;
    /**
     * conv_b's f32 output: 32 products of dequantized inputs (|x| <= 3) and weights (|w| <= 0.4) plus a bias, |y| < 40;
     * f32 sums of 33 terms of that size round by at most 33 ulps of 40 (1.3e-4) in any order, on either side.
     */
    private static final double F32_BOUND = 2.6e-4;

    @TempDir
    Path work;

    @Test
    void onePassByDefaultExactRunsOnRequest() throws Exception {
        StringWriter log = new StringWriter();
        Path classes = InProcessCompiler.compile(work, TinyModelEndToEndTest.FIXTURES, Map.of(
                "demo/Merged.java", """
                        package demo;

                        @dev.lowbit.CompiledModel("tiny_int8_concat.xml")
                        public interface Merged {}
                        """,
                "demo/Runs.java", """
                        package demo;

                        @dev.lowbit.CompiledModel(value = "tiny_int8_concat.xml", exactInt8 = true)
                        public interface Runs {}
                        """), log);
        String merged = "FmaConvolution (int8 dot products on f32 FMA, 2 runs of input channels in one pass, each run's "
                + "weights scaled to one grid, rounded f32 sums)";
        assertEquals(merged + " (u8 x i8 -> u8), called at layer 26", RoundedWinogradModelTest.kernel(classes, "demo.Merged", "conv_a"));
        assertEquals(merged + " (u8 x i8 -> f32), called at layer 36", RoundedWinogradModelTest.kernel(classes, "demo.Merged", "conv_b"));
        assertTrue(RoundedWinogradModelTest.kernel(classes, "demo.Runs", "conv_a").startsWith("FmaConvolution x2 runs of input channels (u8 x i8, "
                + "exact sums) + LevelTensors.combinePlanes"), RoundedWinogradModelTest.kernel(classes, "demo.Runs", "conv_a"));
        String note = "approximation: 2 int8 layer(s) sum in f32 with rounding";
        assertEquals(1, log.toString().split(java.util.regex.Pattern.quote(note), -1).length - 1, log.toString());
        assertTrue(Files.readString(classes.resolve("demo/MergedModel.java")).contains("FmaConvolution.pointwiseRuns("));
        assertTrue(!Files.readString(classes.resolve("demo/RunsModel.java")).contains("pointwiseRuns"));

        ClassLoader loader = InProcessCompiler.load(classes);
        InferenceModel one = (InferenceModel) loader.loadClass("demo.MergedModel").getConstructor().newInstance();
        InferenceModel runs = (InferenceModel) loader.loadClass("demo.RunsModel").getConstructor().newInstance();
        Graph ir = new IrReader().read(TinyModelEndToEndTest.FIXTURES.resolve("tiny_int8_concat.xml"));
        Random r = new Random(11);
        int differ = 0, total = 0;
        double worstF32 = 0;
        for (int run = 0; run < 20; run++) {
            float[] x = new float[16 * 8 * 8];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat() * 4.4f - 1.2f;
            }
            Map<String, float[]> a = one.infer(Map.of("data", x)), b = runs.infer(Map.of("data", x));
            Map<String, Tensor> want = new ReferenceEvaluator(ir).run(Map.of("data", Tensor.f32(new int[] {1, 16, 8, 8}, x)));
            float[] wantA = want.get("out_a").toFloatArray(), wantB = want.get("conv_b/add").toFloatArray();
            for (int i = 0; i < wantA.length; i++) {
                // one step, with slack for the f32 rounding of the step's multiples
                assertTrue(Math.abs(a.get("out_a")[i] - wantA[i]) <= STEP * 1.001, "one pass vs oracle at " + i);
                assertTrue(Math.abs(b.get("out_a")[i] - wantA[i]) <= STEP * 1.001, "exact runs vs oracle at " + i);
                differ += a.get("out_a")[i] != b.get("out_a")[i] ? 1 : 0;
            }
            total += wantA.length;
            for (int i = 0; i < wantB.length; i++) {
                double e = Math.abs(a.get("conv_b/add")[i] - wantB[i]);
                worstF32 = Math.max(worstF32, e);
                assertTrue(e <= F32_BOUND, "one pass f32 output vs oracle at " + i + ": " + e);
                assertTrue(Math.abs(b.get("conv_b/add")[i] - wantB[i]) <= F32_BOUND, "exact runs f32 output at " + i);
            }
        }
        System.out.printf("tiny_int8_concat: %d of %d levels differ between one pass and exact runs; f32 output within "
                + "%.2g of the oracle%n", differ, total, worstF32);
        assertTrue(differ < 1e-3 * total, differ + " of " + total + " levels differ");
    }
}
