package dev.lowbit.transform.lpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lowbit.graph.Graph;
import dev.lowbit.graph.Tensor;
import dev.lowbit.graph.ValueRef;
import dev.lowbit.ir.ElementType;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A -> FakeQuantize -> MatMul(i8 weights, transpose_a/b) -> Add(bias) -> fp32 Result, against a double computation. */
class MatMulLoweringTest {
    private static final int M = 2, K = 5, N = 3;

    @Test
    void lowersFullyConnectedForEveryTransposeCombination() {
        Random r = new Random(3);
        double[] b = new double[K * N]; // logical B[k][n]
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextInt(255) - 127;
        }
        double[] scale = {0.01, 0.02, 0.005};
        double[] bias = {0.5, -1, 0.25};
        float lo = -1.28f, hi = 1.27f; // zero point 128
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                TinyGraph t = new TinyGraph();
                int[] aShape = ta ? new int[] {K, M} : new int[] {M, K};
                ValueRef a = t.parameter("a", aShape);
                ValueRef fq = t.fakeQuantize(a, 256, t.scalar(lo), t.scalar(hi), t.scalar(lo), t.scalar(hi), aShape);
                double[] stored = new double[K * N];
                for (int k = 0; k < K; k++) {
                    for (int n = 0; n < N; n++) {
                        stored[tb ? n * K + k : k * N + n] = b[k * N + n];
                    }
                }
                int[] bShape = tb ? new int[] {N, K} : new int[] {K, N};
                ValueRef w = t.constant(ElementType.I8, bShape, stored);
                ValueRef cv = t.op("Convert", Map.of("destination_type", "f32"), bShape, w);
                ValueRef s = t.constant(ElementType.F32, tb ? new int[] {N, 1} : new int[] {1, N}, scale);
                ValueRef mul = t.op("Multiply", Map.of(), bShape, cv, s);
                ValueRef mm = t.op("MatMul", Map.of("transpose_a", "" + ta, "transpose_b", "" + tb), new int[] {M, N}, fq, mul);
                ValueRef add = t.op("Add", Map.of(), new int[] {M, N}, mm, t.constant(ElementType.F32, new int[] {1, N}, bias));
                t.result(add);
                Graph g = t.build();
                LoweredModel m = new LowPrecisionPipeline().lower(g);
                QuantizedLinear l = assertInstanceOf(QuantizedLinear.class, m.steps().get(1));
                assertEquals(List.of("Add"), l.fused().stream().map(n -> n.type()).toList());
                assertNull(l.requant());
                float[] x = new float[M * K];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                Tensor out = new Int8Simulator(m).run(Map.of("a", Tensor.f32(aShape, x))).get("out");
                for (int i = 0; i < M; i++) {
                    for (int n = 0; n < N; n++) {
                        double acc = 0;
                        for (int k = 0; k < K; k++) {
                            float xv = x[ta ? k * M + i : i * K + k];
                            float xq = FakeQuantizeDecompositionTest.fakeQuantize(xv, 256, lo, hi, lo, hi);
                            acc += xq * (double) (float) (b[k * N + n] * (float) scale[n]);
                        }
                        double want = (float) acc + (float) bias[n];
                        // f32 epilogue vs double: relative 1e-6 of the accumulated magnitude (|acc| < 10)
                        assertEquals(want, out.get(i * N + n), 1e-5, "ta=" + ta + " tb=" + tb + " at " + i + "," + n);
                    }
                }
                assertEquals(1.0, m.int8MacFraction());
            }
        }
    }
}
