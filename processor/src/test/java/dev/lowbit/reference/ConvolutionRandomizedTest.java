package dev.lowbit.reference;

import static dev.lowbit.reference.SpatialTestNodes.attrs;
import static dev.lowbit.reference.SpatialTestNodes.f32;
import static dev.lowbit.reference.SpatialTestNodes.node;
import static dev.lowbit.reference.SpatialTestNodes.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lowbit.graph.Node;
import dev.lowbit.graph.Shapes;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The convolution loops (which hoist each weight tap and clip index ranges) against a direct transcription of
 * the definitions in this test: for every output element, every tap, a bounds check. Random 1-D to 3-D
 * problems with strides, dilations, asymmetric pads and groups. Both sum exact f32 products in double, only
 * in a different order, so after rounding to f32 they may differ by an ulp: tolerance 1e-6 relative.
 */
class ConvolutionRandomizedTest {
    private static final int CASES = 120;

    private record Problem(int rank, int batch, int groups, int inPerGroup, int outPerGroup, int[] in, int[] k,
            int[] s, int[] d, int[] pb, int[] pe) {
        @Override
        public String toString() {
            return "batch " + batch + " groups " + groups + "x(" + inPerGroup + "->" + outPerGroup + ") in "
                    + Arrays.toString(in) + " kernel " + Arrays.toString(k) + " strides " + Arrays.toString(s)
                    + " dilations " + Arrays.toString(d) + " pads " + Arrays.toString(pb) + "/" + Arrays.toString(pe);
        }
    }

    private static Problem random(SplittableRandom r) {
        int rank = 1 + r.nextInt(3);
        int[] in = new int[rank];
        int[] k = new int[rank];
        int[] s = new int[rank];
        int[] d = new int[rank];
        int[] pb = new int[rank];
        int[] pe = new int[rank];
        for (int a = 0; a < rank; a++) {
            k[a] = 1 + r.nextInt(3);
            d[a] = 1 + r.nextInt(2);
            s[a] = 1 + r.nextInt(3);
            pb[a] = r.nextInt(3);
            pe[a] = r.nextInt(3);
            in[a] = Math.max(1, d[a] * (k[a] - 1) + 1 - pb[a] - pe[a]) + r.nextInt(5);
        }
        return new Problem(rank, 1 + r.nextInt(2), 1 + r.nextInt(3), 1 + r.nextInt(3), 1 + r.nextInt(3), in, k, s, d,
                pb, pe);
    }

    private static String list(int[] v) {
        return Arrays.stream(v).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    private static double[] values(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static int[] concat(int[] head, int[] tail) {
        return IntStream.concat(Arrays.stream(head), Arrays.stream(tail)).toArray();
    }

    /** Row-major flat index of coordinates in a shape. */
    private static int flat(int[] shape, int[] coord) {
        int f = 0;
        for (int a = 0; a < shape.length; a++) {
            f = f * shape[a] + coord[a];
        }
        return f;
    }

    /** Iterates every coordinate of a shape, in row-major order. */
    private static boolean next(int[] coord, int[] shape) {
        for (int a = shape.length - 1; a >= 0; a--) {
            if (++coord[a] < shape[a]) {
                return true;
            }
            coord[a] = 0;
        }
        return false;
    }

    @Test
    void groupConvolutionMatchesTheDirectDefinition() {
        SplittableRandom r = new SplittableRandom(20240611);
        for (int c = 0; c < CASES; c++) {
            Problem p = random(r);
            int[] out = new int[p.rank];
            for (int a = 0; a < p.rank; a++) {
                out[a] = (p.in[a] + p.pb[a] + p.pe[a] - (p.d[a] * (p.k[a] - 1) + 1)) / p.s[a] + 1;
            }
            int cin = p.groups * p.inPerGroup;
            int cout = p.groups * p.outPerGroup;
            int[] xShape = concat(new int[] {p.batch, cin}, p.in);
            int[] wShape = concat(new int[] {p.groups, p.outPerGroup, p.inPerGroup}, p.k);
            int[] yShape = concat(new int[] {p.batch, cout}, out);
            double[] x = values(r, Shapes.size(xShape));
            double[] w = values(r, Shapes.size(wShape));
            double[] expected = new double[Shapes.size(yShape)];
            int[] o = new int[yShape.length];
            do {
                int g = o[1] / p.outPerGroup;
                double sum = 0;
                for (int ic = 0; ic < p.inPerGroup; ic++) {
                    int[] tap = new int[p.rank];
                    do {
                        int[] xc = new int[xShape.length];
                        xc[0] = o[0];
                        xc[1] = g * p.inPerGroup + ic;
                        boolean inside = true;
                        for (int a = 0; a < p.rank; a++) {
                            xc[2 + a] = o[2 + a] * p.s[a] - p.pb[a] + tap[a] * p.d[a];
                            inside &= xc[2 + a] >= 0 && xc[2 + a] < p.in[a];
                        }
                        if (inside) {
                            int[] wc = concat(new int[] {g, o[1] % p.outPerGroup, ic}, tap);
                            sum += x[flat(xShape, xc)] * w[flat(wShape, wc)];
                        }
                    } while (next(tap, p.k));
                }
                expected[flat(yShape, o)] = sum;
            } while (next(o, yShape));

            Node n = node("GroupConvolution", "opset1", attrs("strides", list(p.s), "dilations", list(p.d),
                    "pads_begin", list(p.pb), "pads_end", list(p.pe)), yShape);
            double[] actual = run(n, f32(xShape, x), f32(wShape, w))[0].toDoubleArray();
            assertClose(expected, actual, p.toString());
        }
    }

    @Test
    void backpropDataMatchesTheDirectScatterDefinition() {
        SplittableRandom r = new SplittableRandom(7);
        for (int c = 0; c < CASES; c++) {
            Problem p = random(r);
            int[] op = new int[p.rank];
            int[] out = new int[p.rank];
            for (int a = 0; a < p.rank; a++) {
                op[a] = r.nextInt(Math.min(p.s[a], p.d[a]));
                out[a] = (p.in[a] - 1) * p.s[a] + p.d[a] * (p.k[a] - 1) + 1 - p.pb[a] - p.pe[a] + op[a];
                if (out[a] <= 0) {
                    out = null;
                    break;
                }
            }
            if (out == null) {
                continue;
            }
            int cin = p.inPerGroup;
            int cout = p.outPerGroup;
            int[] xShape = concat(new int[] {p.batch, cin}, p.in);
            int[] wShape = concat(new int[] {cin, cout}, p.k);
            int[] yShape = concat(new int[] {p.batch, cout}, out);
            double[] x = values(r, Shapes.size(xShape));
            double[] w = values(r, Shapes.size(wShape));
            double[] expected = new double[Shapes.size(yShape)];
            int[] xc = new int[xShape.length];
            do {
                for (int oc = 0; oc < cout; oc++) {
                    int[] tap = new int[p.rank];
                    do {
                        int[] yc = new int[yShape.length];
                        yc[0] = xc[0];
                        yc[1] = oc;
                        boolean inside = true;
                        for (int a = 0; a < p.rank; a++) {
                            yc[2 + a] = xc[2 + a] * p.s[a] - p.pb[a] + tap[a] * p.d[a];
                            inside &= yc[2 + a] >= 0 && yc[2 + a] < out[a];
                        }
                        if (inside) {
                            int[] wc = concat(new int[] {xc[1], oc}, tap);
                            expected[flat(yShape, yc)] += x[flat(xShape, xc)] * w[flat(wShape, wc)];
                        }
                    } while (next(tap, p.k));
                }
            } while (next(xc, xShape));

            Node n = node("ConvolutionBackpropData", "opset1", attrs("strides", list(p.s), "dilations", list(p.d),
                    "pads_begin", list(p.pb), "pads_end", list(p.pe), "output_padding", list(op)), yShape);
            double[] actual = run(n, f32(xShape, x), f32(wShape, w))[0].toDoubleArray();
            assertClose(expected, actual, p + " output_padding " + Arrays.toString(op));
        }
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals((float) expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), what + " at " + i);
        }
    }
}
