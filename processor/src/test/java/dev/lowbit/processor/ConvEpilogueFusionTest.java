package dev.lowbit.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.runtime.InferenceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiny_fused_cnn fixture (make_fixtures.py): which layers after a float convolution run in its epilogue, as the
 * build report states them, and the outputs, which still agree with the oracle within
 * {@link FloatModelFastKernelsTest#BOUND} (the epilogue's bit-identity with the separate passes is
 * ChannelEpilogueTest's).
 */
class ConvEpilogueFusionTest {
    @TempDir
    Path work;

    @Test
    void perChannelLayersAfterAConvolutionRunInItsEpilogue() throws Exception {
        Path classes = InProcessCompiler.compile(work, TinyModelEndToEndTest.FIXTURES, Map.of("demo/Fused.java", """
                package demo;

                @dev.lowbit.CompiledModel("tiny_fused_cnn.xml")
                public interface Fused {}
                """));
        JsonNode report = new ObjectMapper().readTree(
                Files.readString(classes.resolve("META-INF/lowbit/demo.Fused.json")));
        Map<String, String> kernels = new HashMap<>();
        report.get("layers").forEach(l -> kernels.put(l.get("name").asText(), l.get("kernel").asText()));
        String intoConv1 = "fused into the epilogue of the f32 convolution at layer 2";
        String intoConv2 = "fused into the epilogue of the f32 convolution at layer 11";
        // bias, ReLU and a batch norm's scale; its shift has the constant at input 0, so the planner does not
        // compute it in place in the convolution's buffer, and it runs alone
        assertEquals("TiledConvolution.run + add, relu, multiply", kernels.get("conv1"));
        for (String fused : new String[] {"conv1/add", "relu1", "bn1/mul"}) {
            assertEquals(intoConv1, kernels.get(fused), fused);
        }
        assertEquals("Elementwise", kernels.get("bn1/add"));
        // a scalar scale, a bias; the value after the bias is also a model output, so the ReLU reading it runs alone
        assertEquals("TiledConvolution.run + multiply, add", kernels.get("conv2"));
        assertEquals(intoConv2, kernels.get("conv2/mul"));
        assertEquals(intoConv2, kernels.get("conv2/add"));
        assertEquals("Activations.relu", kernels.get("relu2"));
        // a constant that varies along the width is not per channel
        assertEquals("TiledConvolution.run", kernels.get("conv3"));
        assertEquals("Elementwise", kernels.get("conv3/add"));
        assertEquals("Activations.relu", kernels.get("relu3"));
        String source = Files.readString(classes.resolve("demo/FusedModel.java"));
        assertTrue(source.contains("ChannelEpilogue.channels(8).add("), source);
        assertTrue(source.contains("// computed in place by the epilogue of layer 2 (conv1)"), source);

        InferenceModel m = (InferenceModel) InProcessCompiler.load(classes).loadClass("demo.FusedModel")
                .getConstructor().newInstance();
        FloatModelFastKernelsTest.matchesTheOracle(m, "tiny_fused_cnn.xml", 17);
    }
}
