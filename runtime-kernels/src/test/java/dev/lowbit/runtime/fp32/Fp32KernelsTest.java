package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The fp32 kernels on cases small enough to compute by hand; the expected values are worked out in comments. */
class Fp32KernelsTest {
    // Every expected value below is a small integer or an exactly representable fraction: exact equality.

    @Test
    void convolutionWithPaddingStrideAndDilation() {
        // x 1x1x3x3 = 1..9, w 1x1x2x2 = [1 0; 0 1], pad 1, stride 2, dilation 1 -> 2x2 outputs
        // out(0,0): taps at (-1,-1)*1 + (0,0)*1 = 1; out(0,1): (-1,1)+(0,2) = 3; out(1,0): (1,-1)+(2,0)=7; out(1,1): (1,1)+(2,2)=5+9=14
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] w = {1, 0, 0, 1};
        float[] y = new float[4];
        Convolution.conv2d(x, w, y, new double[Convolution.BLOCK * 2], 1, 1, 3, 3, 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1);
        assertArrayEquals(new float[] {1, 3, 7, 14}, y);
        // dilation 2, no pad, stride 1: one output = x(0,0)*1 + x(2,2)*1 = 10
        float[] y2 = new float[1];
        Convolution.conv2d(x, w, y2, new double[Convolution.BLOCK], 1, 1, 3, 3, 1, 1, 1, 2, 2, 1, 1, 0, 0, 2, 2, 1);
        assertArrayEquals(new float[] {10}, y2);
    }

    @Test
    void depthwiseConvolutionKeepsChannelsApart() {
        // 2 channels 2x2: ch0 = 1..4, ch1 = 10..40; 1x1 kernels w0=2, w1=-1, groups=2
        float[] x = {1, 2, 3, 4, 10, 20, 30, 40};
        float[] y = new float[8];
        Convolution.conv2d(x, new float[] {2, -1}, y, new double[8], 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 2);
        assertArrayEquals(new float[] {2, 4, 6, 8, -10, -20, -30, -40}, y);
    }

    @Test
    void transposedConvolutionScattersEachPixel() {
        // x 1x1x1x2 = [1 2], w 1x1x1x2 = [1 10], stride 2 -> out 1x4 = [1 10 2 20]
        float[] y = new float[4];
        Convolution.deconv2d(new float[] {1, 2}, new float[] {1, 10}, y, new double[4], 1, 1, 1, 2, 1, 1, 4, 1, 2,
                1, 2, 0, 0, 1, 1);
        assertArrayEquals(new float[] {1, 10, 2, 20}, y);
    }

    @Test
    void matMulWithTransposedB() {
        // a [1x2] = [1 2]; b stored [3x2] = rows (1,0),(0,1),(1,1) -> y = [1 2 3]
        float[] y = new float[3];
        MatMul.matmul(new float[] {1, 2}, new float[] {1, 0, 0, 1, 1, 1}, y, 1, 1, 3, 2, false, true, 0, 0);
        assertArrayEquals(new float[] {1, 2, 3}, y);
    }

    @Test
    void poolingSkipsPixelsOutsideTheInput() {
        // 3x3 = 1..9, kernel 2, stride 2, ceil rounding -> 2x2 windows, the last ones clipped
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] y = new float[4];
        Pooling.maxPool(x, y, 1, 3, 3, 2, 2, 2, 2, 2, 2, 0, 0);
        assertArrayEquals(new float[] {5, 6, 8, 9}, y);
        Pooling.avgPool(x, y, 1, 3, 3, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, true);
        // (1+2+4+5)/4 = 3, (3+6)/2 = 4.5, (7+8)/2 = 7.5, 9
        assertArrayEquals(new float[] {3, 4.5f, 7.5f, 9}, y);
    }

    @Test
    void avgPoolCountingPadsDividesByTheWholeKernelEvenPastTheEndPadding() {
        // 5x5, kernel 3, stride 2, pads 0 before and 1 after, ceil rounding: 3x3 outputs, the last window of each
        // row and column reaches past the end padding. OpenVINO's reference divides every window by 9 when the
        // pads count and some pad is non-zero; without any pad, by the pixels inside.
        float[] x = new float[25];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        float[] y = new float[9];
        Pooling.avgPool(x, y, 1, 5, 5, 3, 3, 3, 3, 2, 2, 0, 0, 1, 1, false);
        assertEquals((1 + 2 + 3 + 6 + 7 + 8 + 11 + 12 + 13) / 9f, y[0], 1e-6f);
        assertEquals((5 + 10 + 15) / 9f, y[2], 1e-6f);
        assertEquals(25 / 9f, y[8], 1e-6f);
        Pooling.avgPool(x, y, 1, 5, 5, 3, 3, 3, 3, 2, 2, 0, 0, 0, 0, false);
        assertEquals(25f, y[8]);
        Pooling.avgPool(x, y, 1, 5, 5, 3, 3, 3, 3, 2, 2, 0, 0, 1, 1, true);
        assertEquals((5 + 10 + 15) / 3f, y[2], 1e-6f);
    }

    @Test
    void elementwiseBroadcastsPerChannelAndGenerally() {
        float[] a = new float[20];
        for (int i = 0; i < a.length; i++) {
            a[i] = i;
        }
        float[] y = new float[20];
        // [1][2][10] + per-channel [100, 200]
        Elementwise.perChannel(BinaryOp.ADD, a, new float[] {100, 200}, y, 1, 2, 10);
        assertEquals(100 + 9, y[9]);
        assertEquals(200 + 10, y[10]);
        Elementwise.same(BinaryOp.MULTIPLY, a, a, y, 20);
        assertEquals(19 * 19, y[19]);
        // general: a [2][3] (strides 3,1) minus b [3] broadcast over rows (strides 0,1)
        float[] g = new float[6];
        Elementwise.broadcast6(BinaryOp.SUBTRACT, new float[] {10, 20, 30, 40, 50, 60}, new int[] {0, 0, 0, 0, 3, 1},
                new float[] {1, 2, 3}, new int[] {0, 0, 0, 0, 0, 1}, g, new int[] {1, 1, 1, 1, 2, 3});
        assertArrayEquals(new float[] {9, 18, 27, 39, 48, 57}, g);
    }

    @Test
    void transposeGathersByInputStrides() {
        // [2][3] -> [3][2]: output axis 0 is input axis 1 (step 1), output axis 1 is input axis 0 (step 3)
        float[] y = new float[6];
        DataMovement.gather6(new float[] {1, 2, 3, 4, 5, 6}, y, new int[] {1, 1, 1, 1, 3, 2}, new int[] {0, 0, 0, 0, 1, 3});
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, y);
        float[] c = new float[8];
        DataMovement.concatPart(new float[] {1, 2, 3, 4}, c, 2, 2, 4, 0);
        DataMovement.concatPart(new float[] {5, 6, 7, 8}, c, 2, 2, 4, 2);
        assertArrayEquals(new float[] {1, 2, 5, 6, 3, 4, 7, 8}, c);
    }

    @Test
    void fakeQuantizeRoundsHalfToEven() {
        // levels 3 over [0, 2]: steps of 1; 0.5 -> rint(0.5)=0 -> 0; 1.5 -> rint(1.5)=2 -> 2; clamps outside
        float[] y = new float[5];
        FakeQuantize.apply(new float[] {-1, 0.5f, 1.5f, 1.2f, 9}, y, 1, 1, 5, new float[] {0}, new float[] {2},
                new float[] {0}, new float[] {2}, 3);
        assertArrayEquals(new float[] {0, 0, 2, 1, 2}, y);
    }

    @Test
    void maxPoolEqualsTheDefinitionBitForBitOnTheVectorPath() {
        // stride-2 rows long enough for the vector path (2x2, 3x3, pads, ceil-clipped last window) and short ones
        int[][] cases = { // planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw
            {3, 150, 150, 75, 75, 3, 3, 2, 2, 0, 0}, {2, 48, 48, 24, 24, 2, 2, 2, 2, 0, 0}, {2, 40, 71, 20, 36, 3, 3, 2, 2, 1, 1},
            {1, 9, 100, 5, 50, 2, 3, 2, 2, 0, 1}, {2, 30, 30, 15, 15, 3, 3, 2, 2, 0, 0}, {1, 12, 70, 12, 70, 3, 3, 1, 1, 1, 1},
            // rows shorter than a vector (landmarks 24/12, head-pose 8), a ceil-clipped last window, stride 1 with
            // pads on short rows, windows wholly in the padding, stride 3 (scalar), one column
            {16, 24, 24, 12, 12, 2, 2, 2, 2, 0, 0}, {4, 12, 12, 6, 6, 2, 2, 2, 2, 0, 0}, {3, 8, 8, 4, 4, 3, 3, 2, 2, 0, 0},
            {2, 7, 7, 4, 4, 2, 2, 2, 2, 0, 0}, {2, 5, 7, 5, 7, 3, 3, 1, 1, 1, 1}, {1, 4, 4, 6, 6, 1, 1, 1, 1, 1, 1},
            {1, 10, 10, 3, 3, 3, 3, 3, 3, 0, 0}, {2, 6, 1, 6, 1, 3, 3, 1, 1, 1, 1}, {1, 20, 40, 10, 20, 2, 2, 2, 2, 0, 0},
            // windows wider than the three column offsets whose masks are made once per chunk
            {2, 20, 40, 20, 40, 5, 5, 1, 1, 2, 2}, {1, 16, 70, 8, 35, 4, 4, 2, 2, 1, 1}, {2, 9, 21, 5, 10, 5, 5, 2, 2, 2, 2},
            // several planes with a chunk starting left of the row (its first plane and the last plane's last rows
            // take the scalar loop, the planes between the vector one)
            {3, 12, 70, 12, 70, 3, 3, 1, 1, 1, 1}, {3, 16, 70, 8, 35, 4, 4, 2, 2, 1, 1}, {4, 11, 40, 6, 20, 2, 2, 2, 2, 1, 1},
            // rows that end within the window's kw - 1 extra columns after a chunk's stride x L (16 or 8 lanes): the
            // last plane's last row would load past the array
            {2, 6, 17, 4, 15, 3, 3, 1, 1, 0, 0}, {2, 8, 32, 4, 16, 2, 2, 2, 2, 0, 0}, {2, 6, 9, 4, 7, 3, 3, 1, 1, 0, 0},
            {2, 8, 16, 4, 8, 2, 2, 2, 2, 0, 0},
        };
        java.util.Random r = new java.util.Random(4);
        // second pass: only -1, NaN, 0.0 and -0.0, so most windows' maximum is a zero of either sign, and which one
        // is kept shows whether a kernel takes the first greatest value in window order (rows, then columns)
        float[] zeros = {-1f, Float.NaN, 0f, -0f};
        for (int run = 0; run < 2 * cases.length; run++) {
            int[] t = cases[run % cases.length];
            boolean zerosOnly = run >= cases.length;
            int planes = t[0], h = t[1], w = t[2], oh = t[3], ow = t[4], kh = t[5], kw = t[6], sh = t[7], sw = t[8];
            int ph = t[9], pw = t[10];
            float[] x = new float[planes * h * w];
            for (int i = 0; i < x.length; i++) {
                x[i] = zerosOnly ? zeros[r.nextInt(zeros.length)] : (float) r.nextGaussian();
            }
            x[Math.min(7, x.length - 1)] = Float.NaN;
            x[Math.min(w + 3, x.length - 1)] = -0f;
            x[Math.min(w + 4, x.length - 2)] = 0f;
            float[] y = new float[planes * oh * ow];
            Pooling.maxPool(x, y, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw);
            float[] want = new float[y.length];
            for (int p = 0; p < planes; p++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        // OpenVINO's reference max_pool: from the lowest float, an element wins only when greater
                        // (NaN never, the first of 0.0 and -0.0 stays, an all-padding window gives -Float.MAX_VALUE)
                        float m = -Float.MAX_VALUE;
                        for (int iy = oy * sh - ph; iy < oy * sh - ph + kh; iy++) {
                            for (int ix = ox * sw - pw; ix < ox * sw - pw + kw; ix++) {
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w && x[(p * h + iy) * w + ix] > m) {
                                    m = x[(p * h + iy) * w + ix];
                                }
                            }
                        }
                        want[(p * oh + oy) * ow + ox] = m;
                    }
                }
            }
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(y[i]),
                        java.util.Arrays.toString(t) + (zerosOnly ? " (zeros)" : "") + " output " + i + ": " + y[i]
                                + " vs " + want[i]);
            }
        }
    }

    @Test
    void vectorizedPreluEqualsTheScalarDefinitionBitForBit() {
        java.util.Random r = new java.util.Random(2);
        int outer = 2, c = 3, inner = 37; // two full vectors and a tail per channel (16 lanes), NaN and -0 included
        float[] x = new float[outer * c * inner];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        x[5] = Float.NaN;
        x[6] = -0f;
        float[] slope = {0.25f, -1.5f, 3f};
        float[] y = new float[x.length];
        Activations.prelu(x, slope, y, outer, c, inner);
        float[] want = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float s = slope[(i / inner) % c];
            want[i] = x[i] < 0f ? x[i] * s : x[i];
        }
        assertArrayEquals(want, y);
    }

    @Test
    void activationsAndSoftmaxAndMean() {
        float[] y = new float[2];
        Activations.prelu(new float[] {-2, 3}, new float[] {0.5f}, y, 1, 1, 2);
        assertArrayEquals(new float[] {-1, 3}, y);
        // softmax of equal logits is uniform
        Activations.softmax(new float[] {7, 7}, y, 1, 2, 1);
        assertArrayEquals(new float[] {0.5f, 0.5f}, y);
        Activations.sigmoid(new float[] {0, 0}, y, 2);
        assertArrayEquals(new float[] {0.5f, 0.5f}, y);
        float[] m = new float[2];
        Reductions.mean(new float[] {1, 2, 3, 4, 5, 6}, m, 2, 3, 1);
        assertArrayEquals(new float[] {2, 5}, m);
    }

    @Test
    void detectionOutputSuppressesOverlapsAndEndsWithMinusOne() {
        // two priors, identical boxes [0,0,1,1] in corner coding with zero offsets; class 1 scores 0.9 and 0.8:
        // the second overlaps fully (IoU 1 > 0.5) and is suppressed; a third prior far away survives.
        var attrs = new DetectionOutput.Attributes(2, 0, 10, 10, 0.5f, 0.1f, false, false, true, false, false, 1, 1);
        DetectionOutput d = new DetectionOutput(attrs, 1, 3, 2, 1);
        float[] prior = {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[] conf = {0.1f, 0.9f, 0.2f, 0.8f, 0.3f, 0.7f};
        float[] y = new float[4 * 7];
        d.run(new float[12], conf, prior, y, 4);
        assertArrayEquals(new float[] {0, 1, 0.9f, 0, 0, 1, 1, 0, 1, 0.7f, 2, 2, 3, 3, -1, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0}, y);
    }

    @Test
    void detectionCandidatesSortAsAStableDescendingSort() {
        // scores from a few values (as dequantized int8 confidences), so most have ties, plus signs and zeros
        java.util.Random rnd = new java.util.Random(3);
        float[] values = {0.9f, 0.5f, 0.25f, 0.0100001f, 0f, -0f, -0.5f, Float.MIN_VALUE, 1e-30f, Float.MAX_VALUE};
        for (int n : new int[] {0, 1, 2, 7, 3249}) {
            float[] score = new float[n];
            long[] keys = new long[n];
            Integer[] want = new Integer[n];
            for (int p = 0; p < n; p++) {
                score[p] = values[rnd.nextInt(values.length)];
                keys[p] = DetectionOutput.descendingKey(score[p], p);
                want[p] = p;
            }
            java.util.Arrays.sort(want, (x, y) -> Float.compare(score[y], score[x])); // stable (merge sort)
            DetectionOutput.heapSort(keys, n);
            for (int i = 0; i < n; i++) {
                assertEquals(want[i].intValue(), (int) keys[i], "position " + i + " of " + n);
            }
        }
    }
}
