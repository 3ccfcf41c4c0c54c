package dev.lowbit.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Node;
import dev.lowbit.graph.Signature;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.IrReader;
import dev.lowbit.runtime.int8.ConvGeometry;
import dev.lowbit.runtime.int8.FmaConvolution;
import dev.lowbit.runtime.int8.Requantization;
import dev.lowbit.runtime.vision.ImageTensors;
import dev.lowbit.testing.SharedData;
import dev.lowbit.transform.lpt.Int8Simulator;
import dev.lowbit.transform.lpt.LowPrecisionPipeline;
import dev.lowbit.transform.lpt.LoweredModel;
import dev.lowbit.transform.lpt.LoweredStep;
import dev.lowbit.transform.lpt.QuantGrid;
import dev.lowbit.transform.lpt.QuantizedLinear;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 1x1 layers over a Concat of differently quantized branches that a model without {@code exactInt8} runs in one
 * pass ({@link Int8LinearEmitter#mergesRuns}), on the shared INT8 models and a photo: each such layer, fed the
 * {@link Int8Simulator}'s input levels (the lowering executed exactly), is run as the generated code runs it
 * ({@link Int8LinearEmitter.MergedRuns}, {@code FmaConvolution.pointwiseRuns}, the layer's epilogue) and compared with
 * the simulator's output levels (two exact sums and their combination): issue 4's bound, at most one level and below
 * 0.1% of them; and its sums with the exact combination of the runs' integer dot products.
 */
class MergedRunsOnSharedModelsTest {
    @ParameterizedTest
    @ValueSource(strings = {"face-detection-retail-0004/FP16-INT8", "face-detection-retail-0004_omz2021.2/FP16-INT8"})
    void oneScaledPassAgainstTheExactRuns(String variant) throws Exception {
        SharedData.require();
        String model = variant.substring(0, variant.indexOf('_') > 0 ? variant.indexOf('_') : variant.indexOf('/'));
        Graph graph = new IrReader().read(SharedData.models().resolve(variant + "/" + model + ".xml"));
        LoweredModel lowered = new LowPrecisionPipeline().lower(graph);
        Node param = graph.parameters().get(0);
        int[] shape = param.output(0).shape();
        float[] input = ImageTensors.stretchBgr(ImageTensors.read(SharedData.image("astronaut.png")), shape[3], shape[2]);
        Map<ValueRef, Object> values = new Int8Simulator(lowered, l -> Int8Emitters.carriesBorderTerm(l, false))
                .runAll(Map.of(Signature.inputName(param), Tensor.f32(shape, input)));
        int layers = 0;
        for (LoweredStep step : lowered.steps()) {
            if (step instanceof QuantizedLinear l && Int8LinearEmitter.mergesRuns(l, false)) {
                check(variant, l, (Int8Simulator.Levels) values.get(l.input()), (Int8Simulator.Levels) values.get(l.output()));
                layers++;
            }
        }
        // fire3, 4, 6, 7, 8, 10 and 11's squeeze layers (fire5's and fire9's are strided, not on this path)
        assertTrue(layers == 7, variant + ": " + layers + " layers run their runs in one pass");
    }

    private static void check(String variant, QuantizedLinear l, Int8Simulator.Levels in, Int8Simulator.Levels want) {
        String name = variant + " " + l.node().name();
        ConvGeometry g = Int8LinearEmitter.geometry(l);
        Int8LinearEmitter.MergedRuns runs = Int8LinearEmitter.MergedRuns.of(l);
        FmaConvolution layer = FmaConvolution.pointwiseRuns(g, l.weights().values(), runs.starts(), runs.zeroPoints(),
                runs.factors());
        byte[] levels = new byte[in.q().length];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = (byte) in.q()[i];
        }
        int outputs = g.outChannels(), inputs = g.inChannels(), plane = g.outH() * g.outW();
        float[] ones = new float[outputs];
        Arrays.fill(ones, 1f);
        float[] sums = new float[g.outputLength()];
        layer.run(levels, 0, Requantization.toFloat(ones, new float[outputs], false), null, sums, 0,
                new float[layer.centredFloats()], new float[layer.sumFloats()], new float[layer.convScratchFloats(1)]);
        double worst = 0, largest = 0;
        byte[] w = l.weights().values();
        for (int o = 0; o < outputs; o++) {
            for (int p = 0; p < plane; p++) {
                double exact = 0;
                for (int j = 0; j < runs.starts().length; j++) {
                    int end = j + 1 < runs.starts().length ? runs.starts()[j + 1] : inputs;
                    long d = 0;
                    for (int c = runs.starts()[j]; c < end; c++) {
                        d += (long) ((levels[c * plane + p] & 0xFF) - runs.zeroPoints()[j]) * w[o * inputs + c];
                    }
                    exact += (double) runs.factors()[j * outputs + o] * d;
                }
                worst = Math.max(worst, Math.abs(sums[o * plane + p] - exact));
                largest = Math.max(largest, Math.abs(exact));
            }
        }
        QuantGrid r = l.requant();
        Requantization epilogue = Requantization.toQuantized(runs.base(), l.bias(), l.relu(), r.inLow(), r.inHigh(),
                r.levels(), false);
        byte[] got = new byte[g.outputLength()];
        layer.run(levels, 0, epilogue, got, null, 0, new float[layer.centredFloats()], new float[layer.sumFloats()],
                new float[layer.convScratchFloats(1)]);
        int differ = 0;
        for (int i = 0; i < got.length; i++) {
            int diff = Math.abs((got[i] & 0xFF) - want.q()[i]);
            assertTrue(diff <= 1, name + ": level " + i + " off by " + diff);
            differ += diff;
        }
        System.out.printf("%s (%d runs, %s): largest |sum| %.0f, worst |sum - exact| %.4f; %d of %d levels differ by one "
                + "from the exact runs%n", name, runs.starts().length, g, largest, worst, differ, got.length);
        // f32 sums of up to 512 products of the scaled weights: 1e-5 of the largest sum, as the F(4x4) layers
        assertTrue(worst <= 1e-5 * largest, name + ": worst |sum - exact| " + worst);
        assertTrue(differ < 1e-3 * got.length, name + ": " + differ + " of " + got.length + " levels differ");
    }
}
