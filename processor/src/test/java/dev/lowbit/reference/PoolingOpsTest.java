package dev.lowbit.reference;

import static dev.lowbit.reference.SpatialTestNodes.attrs;
import static dev.lowbit.reference.SpatialTestNodes.f32;
import static dev.lowbit.reference.SpatialTestNodes.node;
import static dev.lowbit.reference.SpatialTestNodes.ramp;
import static dev.lowbit.reference.SpatialTestNodes.run;
import static dev.lowbit.reference.SpatialTestNodes.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Tensor;
import dev.lowbit.ir.ElementType;
import dev.lowbit.ir.IrException;
import org.junit.jupiter.api.Test;

/**
 * MaxPool (opset1, opset8) and AvgPool against hand-computed windows. Maxima are exact; averages here are
 * quotients of small integers by 1, 2 or 4, exact in binary, so no tolerance is needed.
 */
class PoolingOpsTest {
    /** 1..9 on a 3x3 map. */
    private static final Tensor ONE_TO_NINE = f32(shape(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);

    private static Node maxPool1(String rounding, int[] out) {
        return node("MaxPool", "opset1", attrs("strides", "2,2", "pads_begin", "0,0", "pads_end", "0,0",
                "kernel", "3,3", "rounding_type", rounding, "auto_pad", "explicit"), out);
    }

    @Test
    void floorRoundingDropsThePartialWindow() {
        Tensor[] out = run(maxPool1("floor", shape(1, 1, 1, 1)), f32(shape(1, 1, 4, 4), ramp(16)));
        assertEquals(1, out.length);
        assertArrayEquals(new double[] {10}, out[0].toDoubleArray(), 0);
    }

    @Test
    void ceilRoundingKeepsThePartialWindow() {
        Tensor[] out = run(maxPool1("ceil", shape(1, 1, 2, 2)), f32(shape(1, 1, 4, 4), ramp(16)));
        // windows rows/cols {0..2} and {2..3}: maxima at (2,2), (2,3), (3,2), (3,3)
        assertArrayEquals(new double[] {10, 11, 14, 15}, out[0].toDoubleArray(), 0);
    }

    @Test
    void opset8ReturnsFlatIndicesOverTheWholeInput() {
        // channel 0 is 0..15, channel 1 is 15..0
        double[] xv = new double[32];
        for (int i = 0; i < 16; i++) {
            xv[i] = i;
            xv[16 + i] = 15 - i;
        }
        Node n = node("MaxPool", "opset8", attrs("strides", "2,2", "dilations", "1,1", "pads_begin", "0,0", "pads_end",
                "0,0", "kernel", "3,3", "rounding_type", "ceil", "auto_pad", "explicit", "index_element_type", "i32",
                "axis", "0"), shape(1, 2, 2, 2), shape(1, 2, 2, 2));
        Tensor[] out = run(n, f32(shape(1, 2, 4, 4), xv));
        assertArrayEquals(new double[] {10, 11, 14, 15, 15, 13, 7, 5}, out[0].toDoubleArray(), 0);
        // channel 1's maxima sit at its positions 0, 2, 8, 10, i.e. 16 + those in the whole tensor
        assertArrayEquals(new double[] {10, 11, 14, 15, 16, 18, 24, 26}, out[1].toDoubleArray(), 0);
        assertEquals(ElementType.I32, out[1].type());
    }

    @Test
    void opset8AxisMakesIndicesRelativeToTheSubTensor() {
        double[] xv = new double[32];
        for (int i = 0; i < 16; i++) {
            xv[i] = i;
            xv[16 + i] = 15 - i;
        }
        Node n = node("MaxPool", "opset8", attrs("strides", "2,2", "dilations", "1,1", "pads_begin", "0,0", "pads_end",
                "0,0", "kernel", "3,3", "rounding_type", "ceil", "axis", "-2"), shape(1, 2, 2, 2), shape(1, 2, 2, 2));
        Tensor[] out = run(n, f32(shape(1, 2, 4, 4), xv));
        // axis -2 = 2: indices modulo 4*4
        assertArrayEquals(new double[] {10, 11, 14, 15, 0, 2, 8, 10}, out[1].toDoubleArray(), 0);
        assertEquals(ElementType.I64, out[1].type());
    }

    @Test
    void opset8DilationSpreadsTheWindow() {
        Tensor x = f32(shape(1, 1, 4, 4), 3, 9, 1, 4, 7, 2, 8, 0, 5, 12, 6, 11, 10, 13, 15, 14);
        Node n = node("MaxPool", "opset8", attrs("strides", "1,1", "dilations", "2,2", "pads_begin", "0,0", "pads_end",
                "0,0", "kernel", "2,2", "rounding_type", "floor"), shape(1, 1, 2, 2), shape(1, 1, 2, 2));
        Tensor[] out = run(n, x);
        // taps (i,j), (i,j+2), (i+2,j), (i+2,j+2)
        assertArrayEquals(new double[] {6, 12, 15, 14}, out[0].toDoubleArray(), 0);
        assertArrayEquals(new double[] {10, 9, 14, 15}, out[1].toDoubleArray(), 0);
    }

    @Test
    void integerListsWrittenAsDecimalsAreAccepted() {
        // real MaxPool-8 IRs write dilations="1.0,1.0"
        Node n = node("MaxPool", "opset8", attrs("strides", "2,2", "dilations", "1.0,1.0", "pads_begin", "0,0",
                "pads_end", "0,0", "kernel", "2,2"), shape(1, 1, 2, 2), shape(1, 1, 2, 2));
        assertArrayEquals(new double[] {5, 7, 13, 15}, run(n, f32(shape(1, 1, 4, 4), ramp(16)))[0].toDoubleArray(), 0);
    }

    @Test
    void paddingNeverWinsAMaximum() {
        Tensor x = f32(shape(1, 1, 2, 2), -5, -6, -7, -8);
        Node n = node("MaxPool", "opset1", attrs("strides", "1,1", "pads_begin", "1,1", "pads_end", "1,1", "kernel",
                "2,2"), shape(1, 1, 3, 3));
        assertArrayEquals(new double[] {-5, -5, -6, -5, -5, -6, -7, -7, -8}, run(n, x)[0].toDoubleArray(), 0);
    }

    @Test
    void sameUpperPoolingPadsAtTheEnd() {
        Node n = node("MaxPool", "opset1", attrs("strides", "2,2", "pads_begin", "0,0", "pads_end", "0,0", "kernel",
                "2,2", "auto_pad", "same_upper"), shape(1, 1, 2, 2));
        // ceil(3/2) = 2; pad 1 at the end: windows {0,1} and {2}
        assertArrayEquals(new double[] {5, 6, 8, 9}, run(n, ONE_TO_NINE)[0].toDoubleArray(), 0);
    }

    private static Node avgPool(String excludePad, String padsBegin, String padsEnd, String rounding, int[] out) {
        return node("AvgPool", "opset1", attrs("strides", "2,2", "pads_begin", padsBegin, "pads_end", padsEnd, "kernel",
                "2,2", "exclude-pad", excludePad, "rounding_type", rounding), out);
    }

    @Test
    void excludePadDividesByTheElementsInsideTheInput() {
        Tensor[] out = run(avgPool("true", "1,1", "1,1", "floor", shape(1, 1, 2, 2)), ONE_TO_NINE);
        // windows start at -1 and 1: {1}, {2,3}, {4,7}, {5,6,8,9}
        assertArrayEquals(new double[] {1, 2.5, 5.5, 7}, out[0].toDoubleArray(), 0);
    }

    @Test
    void includePadDividesByTheKernelSize() {
        Tensor[] out = run(avgPool("false", "1,1", "1,1", "floor", shape(1, 1, 2, 2)), ONE_TO_NINE);
        assertArrayEquals(new double[] {0.25, 1.25, 2.75, 7}, out[0].toDoubleArray(), 0);
    }

    @Test
    void withoutAnyPaddingCeilWindowsDivideByTheirInsideCountEvenWhenPadsCount() {
        Tensor[] out = run(avgPool("false", "0,0", "0,0", "ceil", shape(1, 1, 2, 2)), ONE_TO_NINE);
        // {1,2,4,5}/4, {3,6}/2, {7,8}/2, {9}/1
        assertArrayEquals(new double[] {3, 4.5, 7.5, 9}, out[0].toDoubleArray(), 0);
    }

    @Test
    void withPaddingAndPadsCountingCeilWindowsDivideByTheFullKernel() {
        Tensor[] out = run(avgPool("false", "0,0", "1,1", "ceil", shape(1, 1, 2, 2)), ONE_TO_NINE);
        assertArrayEquals(new double[] {3, 2.25, 3.75, 2.25}, out[0].toDoubleArray(), 0);
        Tensor[] excluded = run(avgPool("true", "0,0", "1,1", "ceil", shape(1, 1, 2, 2)), ONE_TO_NINE);
        assertArrayEquals(new double[] {3, 4.5, 7.5, 9}, excluded[0].toDoubleArray(), 0);
    }

    @Test
    void ceilTorchRoundingIsReportedAsUnsupported() {
        IrException e = assertThrows(IrException.class,
                () -> run(avgPool("true", "0,0", "0,0", "ceil_torch", shape(1, 1, 2, 2)), ONE_TO_NINE));
        assertTrue(e.getMessage().contains("type=AvgPool") && e.getMessage().contains("ceil_torch"), e.getMessage());
    }

    @Test
    void kernelOfTheWrongRankNamesTheLayer() {
        Node n = node("MaxPool", "opset1", attrs("strides", "1,1", "pads_begin", "0,0", "pads_end", "0,0", "kernel",
                "2,2,2"), shape(1, 1, 2, 2));
        IrException e = assertThrows(IrException.class, () -> run(n, ONE_TO_NINE));
        assertTrue(e.getMessage().contains("type=MaxPool") && e.getMessage().contains("'kernel'"), e.getMessage());
    }
}
