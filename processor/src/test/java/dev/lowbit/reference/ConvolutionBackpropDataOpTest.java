package dev.lowbit.reference;

import static dev.lowbit.reference.SpatialTestNodes.attrs;
import static dev.lowbit.reference.SpatialTestNodes.f32;
import static dev.lowbit.reference.SpatialTestNodes.i64;
import static dev.lowbit.reference.SpatialTestNodes.node;
import static dev.lowbit.reference.SpatialTestNodes.run;
import static dev.lowbit.reference.SpatialTestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

/**
 * ConvolutionBackpropData against hand-scattered sums: input element i adds in[i] * w[k] at output position
 * i * stride + k * dilation - pads_begin. Small integers, so the comparisons are exact.
 */
class ConvolutionBackpropDataOpTest {

    @Test
    void strideTwoWithOutputPaddingTilesTheKernelAndAddsAZeroBorder() {
        Tensor x = f32(shape(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor w = f32(shape(1, 1, 2, 2), 1, 10, 100, 1000);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "2,2", "dilations", "1,1", "pads_begin",
                "0,0", "pads_end", "0,0", "output_padding", "1,1", "auto_pad", "explicit"), shape(1, 1, 5, 5));
        // out = (2-1)*2 + 2 + 1 = 5; each input element stamps x * w into its own 2x2 block; row 4 / col 4 stay 0
        double[] expected = {
            1, 10, 2, 20, 0,
            100, 1000, 200, 2000, 0,
            3, 30, 4, 40, 0,
            300, 3000, 400, 4000, 0,
            0, 0, 0, 0, 0
        };
        assertArrayEquals(expected, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void overlappingTapsAddAndPadsBeginCropsTheFront() {
        Tensor x = f32(shape(1, 1, 1, 2), 1, 10);
        Tensor w = f32(shape(1, 1, 1, 3), 1, 2, 3);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "1,2", "dilations", "1,1", "pads_begin",
                "0,1", "pads_end", "0,1", "output_padding", "0,1"), shape(1, 1, 1, 4));
        // x0 lands on -1, 0, 1 (the -1 is cropped), x1 on 1, 2, 3; width (2-1)*2 + 3 - 2 + 1 = 4
        assertArrayEquals(new double[] {2, 3 + 10, 20, 30}, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void withoutOutputPaddingTheEndIsCropped() {
        Tensor x = f32(shape(1, 1, 1, 2), 1, 10);
        Tensor w = f32(shape(1, 1, 1, 3), 1, 2, 3);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "1,2", "dilations", "1,1", "pads_begin",
                "0,1", "pads_end", "0,1"), shape(1, 1, 1, 3));
        assertArrayEquals(new double[] {2, 13, 20}, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void outputShapeInputWithSameUpperPutsTheOddPadAtTheBeginning() {
        Tensor x = f32(shape(1, 1, 1, 2), 1, 10);
        Tensor w = f32(shape(1, 1, 1, 3), 1, 2, 3);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "1,2", "dilations", "1,1", "pads_begin",
                "0,0", "pads_end", "0,0", "auto_pad", "same_upper"), shape(1, 1, 1, 4));
        // full width (2-1)*2 + 3 = 5, requested 4: total pad 1, pads_begin 1 (OpenVINO's backprop swap)
        assertArrayEquals(new double[] {2, 13, 20, 30}, run(n, x, w, i64(1, 4))[0].toDoubleArray(), 0);
    }

    @Test
    void outputShapeInputWithSameLowerKeepsTheFront() {
        Tensor x = f32(shape(1, 1, 1, 2), 1, 10);
        Tensor w = f32(shape(1, 1, 1, 3), 1, 2, 3);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "1,2", "dilations", "1,1", "pads_begin",
                "0,0", "pads_end", "0,0", "auto_pad", "same_lower"), shape(1, 1, 1, 4));
        // pads_begin 0: x0 on 0,1,2 and x1 on 2,3 (4 is cut)
        assertArrayEquals(new double[] {1, 2, 3 + 10, 20}, run(n, x, w, i64(1, 4))[0].toDoubleArray(), 0);
    }

    @Test
    void dilatedKernelSpreadsTheTaps() {
        Tensor x = f32(shape(1, 1, 1, 2), 1, 10);
        Tensor w = f32(shape(1, 1, 1, 2), 1, 2);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "1,1", "dilations", "1,2", "pads_begin",
                "0,0", "pads_end", "0,0"), shape(1, 1, 1, 4));
        // taps at 0 and 2: x0 -> 0, 2; x1 -> 1, 3
        assertArrayEquals(new double[] {1, 10, 2, 20}, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void sumsInputChannelsIntoEachOutputChannel() {
        // two input channels (1 and 10 everywhere), weights [Cin=2, Cout=2, 1, 1]
        Tensor x = f32(shape(1, 2, 1, 1), 1, 10);
        Tensor w = f32(shape(2, 2, 1, 1), 1, 2, 3, 4);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "1,1", "dilations", "1,1", "pads_begin",
                "0,0", "pads_end", "0,0"), shape(1, 2, 1, 1));
        // out0 = 1*1 + 10*3, out1 = 1*2 + 10*4
        assertArrayEquals(new double[] {31, 42}, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void weightsNotMatchingTheInputChannelsNameTheLayer() {
        Tensor x = f32(shape(1, 3, 2, 2), new double[12]);
        Tensor w = f32(shape(4, 1, 2, 2), new double[16]);
        Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", "1,1", "dilations", "1,1", "pads_begin",
                "0,0", "pads_end", "0,0"), shape(1, 1, 3, 3));
        IrException e = assertThrows(IrException.class, () -> run(n, x, w));
        assertTrue(e.getMessage().contains("type=ConvolutionBackpropData"), e.getMessage());
        assertTrue(e.getMessage().contains("expect 4 input channels"), e.getMessage());
    }
}
