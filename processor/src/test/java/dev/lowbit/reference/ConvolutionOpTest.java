package dev.lowbit.reference;

import static dev.lowbit.reference.SpatialTestNodes.attrs;
import static dev.lowbit.reference.SpatialTestNodes.f32;
import static dev.lowbit.reference.SpatialTestNodes.node;
import static dev.lowbit.reference.SpatialTestNodes.ramp;
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
 * Convolution and GroupConvolution against hand-computed sums on tiny tensors. Inputs and weights are small
 * integers, so every expected value is an exact integer and the comparisons use no tolerance.
 */
class ConvolutionOpTest {
    /** x(r, c) = 5r + c on a 5x5 map. */
    private static final Tensor RAMP_5X5 = f32(shape(1, 1, 5, 5), ramp(25));
    private static final Tensor ONES_2X2 = f32(shape(1, 1, 2, 2), 1, 1, 1, 1);

    private static Node conv(String autoPad, String strides, String dilations, String padsBegin, String padsEnd,
            int[] out) {
        return node("Convolution", "opset1", attrs("strides", strides, "dilations", dilations, "pads_begin", padsBegin,
                "pads_end", padsEnd, "auto_pad", autoPad), out);
    }

    @Test
    void strideTwoSumsNonOverlappingBlocks() {
        Tensor x = f32(shape(1, 1, 4, 4), ramp(16));
        Tensor[] out = run(conv("explicit", "2,2", "1,1", "0,0", "0,0", shape(1, 1, 2, 2)), x, ONES_2X2);
        // blocks {0,1,4,5}, {2,3,6,7}, {8,9,12,13}, {10,11,14,15}
        assertArrayEquals(new double[] {10, 18, 42, 50}, out[0].toDoubleArray(), 0);
    }

    @Test
    void dilationTwoSpreadsTheKernelTaps() {
        Tensor w = f32(shape(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor[] out = run(conv("explicit", "1,1", "2,2", "0,0", "0,0", shape(1, 1, 3, 3)), RAMP_5X5, w);
        // out(i,j) = x(i,j) + 2x(i,j+2) + 3x(i+2,j) + 4x(i+2,j+2) = 10(5i+j) + 82
        assertArrayEquals(new double[] {82, 92, 102, 132, 142, 152, 182, 192, 202}, out[0].toDoubleArray(), 0);
    }

    @Test
    void asymmetricPadsShiftAndExtendTheWindow() {
        Tensor x = f32(shape(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Tensor[] out = run(conv("explicit", "1,1", "1,1", "1,0", "0,1", shape(1, 1, 3, 3)), x, ONES_2X2);
        // one padded row on top, one padded column on the right
        assertArrayEquals(new double[] {3, 5, 3, 12, 16, 9, 24, 28, 15}, out[0].toDoubleArray(), 0);
    }

    @Test
    void sameUpperPutsTheOddPadAtTheEnd() {
        Tensor[] out = run(conv("same_upper", "2,2", "1,1", "0,0", "0,0", shape(1, 1, 3, 3)), RAMP_5X5, ONES_2X2);
        // ceil(5/2) = 3 outputs need 1 pad: pads_begin 0, pads_end 1
        assertArrayEquals(new double[] {12, 20, 13, 52, 60, 33, 41, 45, 24}, out[0].toDoubleArray(), 0);
    }

    @Test
    void sameLowerPutsTheOddPadAtTheBeginningAndIsCaseInsensitive() {
        Tensor[] out = run(conv("SAME_LOWER", "2,2", "1,1", "0,0", "0,0", shape(1, 1, 3, 3)), RAMP_5X5, ONES_2X2);
        assertArrayEquals(new double[] {0, 3, 7, 15, 36, 44, 35, 76, 84}, out[0].toDoubleArray(), 0);
    }

    @Test
    void validIgnoresTheWrittenPads() {
        Tensor[] out = run(conv("valid", "2,2", "1,1", "1,1", "1,1", shape(1, 1, 2, 2)), RAMP_5X5, ONES_2X2);
        assertArrayEquals(new double[] {12, 20, 52, 60}, out[0].toDoubleArray(), 0);
    }

    @Test
    void explicitUsesTheWrittenPads() {
        Tensor[] out = run(conv("explicit", "2,2", "1,1", "1,1", "1,1", shape(1, 1, 3, 3)), RAMP_5X5, ONES_2X2);
        assertArrayEquals(new double[] {0, 3, 7, 15, 36, 44, 35, 76, 84}, out[0].toDoubleArray(), 0);
    }

    @Test
    void sumsOverInputChannelsPerOutputChannel() {
        // two input channels of constants 1 and 10; weights out0 = (1, 2), out1 = (-1, 1), 1x1 kernel
        Tensor x = f32(shape(1, 2, 1, 2), 1, 1, 10, 10);
        Tensor w = f32(shape(2, 2, 1, 1), 1, 2, -1, 1);
        Tensor[] out = run(conv("explicit", "1,1", "1,1", "0,0", "0,0", shape(1, 2, 1, 2)), x, w);
        assertArrayEquals(new double[] {21, 21, 9, 9}, out[0].toDoubleArray(), 0);
    }

    @Test
    void oneDimensionalConvolution() {
        Tensor x = f32(shape(1, 1, 5), 0, 1, 2, 3, 4);
        Tensor w = f32(shape(1, 1, 3), 1, 0, -1);
        Node n = node("Convolution", "opset1",
                attrs("strides", "2", "dilations", "1", "pads_begin", "1", "pads_end", "1"), shape(1, 1, 3));
        // windows [-1..1], [1..3], [3..5]: x(a) - x(a+2)
        assertArrayEquals(new double[] {-1, -2, 3}, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void groupConvolutionKeepsChannelGroupsApart() {
        // x(c, p) = 10c + p; group 0 mixes channels 0,1 with (1, 2), group 1 mixes channels 2,3 with (3, 4)
        double[] xv = new double[16];
        for (int c = 0; c < 4; c++) {
            for (int p = 0; p < 4; p++) {
                xv[c * 4 + p] = 10 * c + p;
            }
        }
        Tensor x = f32(shape(1, 4, 2, 2), xv);
        Tensor w = f32(shape(2, 1, 2, 1, 1), 1, 2, 3, 4);
        Node n = node("GroupConvolution", "opset1",
                attrs("strides", "1,1", "dilations", "1,1", "pads_begin", "0,0", "pads_end", "0,0"), shape(1, 2, 2, 2));
        // out0 = x0 + 2 x1 = 20 + 3p; out1 = 3 x2 + 4 x3 = 180 + 7p
        assertArrayEquals(new double[] {20, 23, 26, 29, 180, 187, 194, 201}, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void depthwiseConvolutionAppliesOneKernelPerChannel() {
        double[] xv = new double[18];
        for (int i = 0; i < 9; i++) {
            xv[i] = i;
            xv[9 + i] = 10 + i;
        }
        Tensor x = f32(shape(1, 2, 3, 3), xv);
        Tensor w = f32(shape(2, 1, 1, 2, 2), 1, 1, 1, 1, 1, 0, 0, -1);
        Node n = node("GroupConvolution", "opset1",
                attrs("strides", "1,1", "dilations", "1,1", "pads_begin", "0,0", "pads_end", "0,0"), shape(1, 2, 2, 2));
        // channel 0: 2x2 sums of 3r+c = 12i + 4j + 8; channel 1: x(i,j) - x(i+1,j+1) = -4
        assertArrayEquals(new double[] {8, 12, 20, 24, -4, -4, -4, -4}, run(n, x, w)[0].toDoubleArray(), 0);
    }

    @Test
    void weightsWithTheWrongInputChannelCountNameTheLayer() {
        Tensor x = f32(shape(1, 3, 4, 4), new double[48]);
        Tensor w = f32(shape(8, 2, 3, 3), new double[144]);
        Node n = conv("explicit", "1,1", "1,1", "0,0", "0,0", shape(1, 8, 2, 2));
        IrException e = assertThrows(IrException.class, () -> run(n, x, w));
        assertTrue(e.getMessage().contains("layer id=7 name='test_Convolution' type=Convolution"), e.getMessage());
        assertTrue(e.getMessage().contains("expect 2 input channels"), e.getMessage());
    }

    @Test
    void groupWeightsNotMatchingTheInputChannelsNameTheLayer() {
        Tensor x = f32(shape(1, 4, 3, 3), new double[36]);
        Tensor w = f32(shape(3, 1, 1, 1, 1), new double[3]);
        Node n = node("GroupConvolution", "opset1",
                attrs("strides", "1,1", "dilations", "1,1", "pads_begin", "0,0", "pads_end", "0,0"), shape(1, 3, 3, 3));
        IrException e = assertThrows(IrException.class, () -> run(n, x, w));
        assertTrue(e.getMessage().contains("type=GroupConvolution"), e.getMessage());
    }

    @Test
    void kernelLargerThanThePaddedInputIsRejected() {
        Tensor x = f32(shape(1, 1, 2, 2), new double[4]);
        Tensor w = f32(shape(1, 1, 3, 3), new double[9]);
        Node n = conv("explicit", "1,1", "1,1", "0,0", "0,0", shape(1, 1, 1, 1));
        IrException e = assertThrows(IrException.class, () -> run(n, x, w));
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
    }

    @Test
    void declaredOutputShapeDisagreeingWithTheAttributesIsRejected() {
        Node n = conv("explicit", "2,2", "1,1", "0,0", "0,0", shape(1, 1, 3, 3));
        IrException e = assertThrows(IrException.class, () -> run(n, f32(shape(1, 1, 4, 4), ramp(16)), ONES_2X2));
        assertTrue(e.getMessage().contains("declared with shape [1, 1, 3, 3]"), e.getMessage());
    }

    @Test
    void unknownAutoPadValueIsRejected() {
        Node n = conv("same", "1,1", "1,1", "0,0", "0,0", shape(1, 1, 4, 4));
        IrException e = assertThrows(IrException.class, () -> run(n, RAMP_5X5, ONES_2X2));
        assertTrue(e.getMessage().contains("auto_pad"), e.getMessage());
    }
}
