package dev.lowbit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.codegen.LayerReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON's int8 MAC share counts Convolution/GroupConvolution/MatMul MACs by precision, without deconvolutions. */
class BuildReportInt8ShareTest {
    @Test
    void int8ShareIgnoresConvolutionBackpropData() {
        BuildReport r = new BuildReport("a.B", "m.xml", "00", 0, 0, 0, List.of(
                new LayerReport(1, "conv", "Convolution", "u8", "Int8Convolution", 300, 0),
                new LayerReport(2, "fq", "FakeQuantize", "u8", "epilogue", 0, 0),
                new LayerReport(3, "fc", "MatMul", "f32", "MatMul", 100, 0),
                new LayerReport(4, "up", "ConvolutionBackpropData", "f32", "deconv", 5000, 0)));
        assertEquals(0.75, r.int8MacShare(), 1e-12); // 300 of 400
        assertTrue(r.json().contains("\"int8MacShare\": 0.7500"), r.json());
    }
}
