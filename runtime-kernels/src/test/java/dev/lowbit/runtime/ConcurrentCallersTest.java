package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lowbit.runtime.fp32.Activations;
import dev.lowbit.runtime.fp32.Pooling;
import dev.lowbit.runtime.int8.ConvGeometry;
import dev.lowbit.runtime.int8.Int8ConvLayer;
import dev.lowbit.runtime.int8.Int8Convolution;
import dev.lowbit.runtime.int8.Int8DepthwiseConvolution;
import dev.lowbit.runtime.int8.Int8DepthwiseLayer;
import dev.lowbit.runtime.int8.Int8FullyConnected;
import dev.lowbit.runtime.int8.LevelTensors;
import dev.lowbit.runtime.int8.QuantizedInput;
import dev.lowbit.runtime.int8.Requantization;
import dev.lowbit.runtime.vision.Detection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What the Javadoc of the runtime's kernels and value types promises: "stateless / immutable, thread-safe, with
 * distinct buffers per caller". Each operation shares its immutable inputs (layers, requantizations, specs) between
 * 4 threads started together, each using its own output and scratch arrays 50 times; every result must equal the
 * sequential one. (The generated classes, InferencePool and Parallel have their own concurrent tests.)
 */
class ConcurrentCallersTest {
    @Test
    void sharedImmutableStateGivesEveryCallerTheSequentialResult() throws Exception {
        Random rnd = new Random(3);
        Map<String, Supplier<Object>> ops = new LinkedHashMap<>();

        ConvGeometry g = ConvGeometry.square(9, 9, 24, 40, 1, 3, 1, 1);
        Int8ConvLayer conv = Int8ConvLayer.pack(g, QuantizedInput.u8(9), bytes(rnd, 40 * 24 * 9));
        Requantization toBytes = Requantization.toQuantized(filled(40, 1e-3f), filled(40, 0.1f), true,
                new float[] {0f}, new float[] {4f}, 256, false);
        byte[] convIn = bytes(rnd, g.inputLength());
        ops.put("Int8Convolution", () -> {
            byte[] out = new byte[g.outputLength()];
            Int8Convolution.runQuantized(conv, toBytes, convIn, 0, out, 0, new int[conv.scratchInts()]);
            return out;
        });
        ConvGeometry dg = ConvGeometry.square(8, 8, 32, 32, 32, 3, 1, 1);
        Int8DepthwiseLayer dw = Int8DepthwiseLayer.pack(dg, QuantizedInput.u8(3), bytes(rnd, 32 * 9));
        Requantization dwFloat = Requantization.toFloat(filled(32, 1e-2f), filled(32, 0f), false);
        byte[] dwIn = bytes(rnd, dg.inputLength());
        ops.put("Int8DepthwiseConvolution", () -> {
            float[] out = new float[dg.outputLength()];
            Int8DepthwiseConvolution.runFloat(dw, dwFloat, dwIn, 0, out, 0, new int[dw.scratchInts()]);
            return out;
        });
        Int8ConvLayer fc = Int8FullyConnected.pack(1, 100, 50, QuantizedInput.u8(0), bytes(rnd, 5000));
        Requantization fcFloat = Requantization.toFloat(filled(50, 1f), filled(50, 0f), false);
        byte[] fcIn = bytes(rnd, 100);
        ops.put("Int8FullyConnected", () -> {
            float[] out = new float[50];
            Int8FullyConnected.runFloat(fc, fcFloat, fcIn, 0, out, 0, new int[fc.scratchInts()]);
            return out;
        });
        float[] x = new float[4 * 36];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat() * 4 - 1;
        }
        float[] low = {-1f}, high = {3f};
        ops.put("LevelTensors.quantize+dequantize", () -> {
            byte[] q = new byte[x.length];
            LevelTensors.quantize(x, q, 1, 4, 36, low, high, 256);
            float[] back = new float[x.length];
            LevelTensors.dequantize(q, back, 1, 4, 36, low, high, 256);
            return back;
        });
        ops.put("Activations.softmax", () -> {
            float[] y = new float[x.length];
            Activations.softmax(x, y, 4, 36, 1);
            return y;
        });
        ops.put("Pooling.maxPool", () -> {
            float[] y = new float[4 * 9];
            Pooling.maxPool(x, y, 4, 6, 6, 3, 3, 2, 2, 2, 2, 0, 0);
            return y;
        });
        float[] rows = {0, 1, 0.9f, 0.1f, 0.2f, 0.3f, 0.4f, -1, 0, 0, 0, 0, 0, 0};
        ops.put("Detection.parse", () -> Detection.parse(rows).toString());
        TensorSpec spec = new TensorSpec("x", new int[] {1, 3, 4, 4}, "f32");
        ops.put("TensorSpec", () -> spec.shape());

        for (Map.Entry<String, Supplier<Object>> op : ops.entrySet()) {
            Object expected = op.getValue().get();
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    done.add(pool.submit((Callable<Void>) () -> {
                        start.await();
                        for (int i = 0; i < 50; i++) {
                            assertSame(op.getKey(), expected, op.getValue().get());
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get();
                }
            }
        }
    }

    private static void assertSame(String what, Object expected, Object got) {
        switch (expected) {
            case byte[] b -> assertArrayEquals(b, (byte[]) got, what);
            case float[] f -> assertArrayEquals(f, (float[]) got, what);
            case int[] i -> assertArrayEquals(i, (int[]) got, what);
            default -> assertEquals(expected, got, what);
        }
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static float[] filled(int n, float v) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, v);
        return f;
    }
}
