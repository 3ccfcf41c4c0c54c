package dev.lowbit.runtime.fp32;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Element-wise kernels must not box vectors when several operators share the call site (real models do). */
class ElementwiseAllocationTest {
    @Test
    void perChannelAndSameAllocateNothingOnceCompiled() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        float[] a = new float[16 * 64];
        float[] b = new float[16];
        float[] full = new float[a.length];
        float[] y = new float[a.length];
        BinaryOp[] ops = {BinaryOp.ADD, BinaryOp.MULTIPLY, BinaryOp.SUBTRACT};
        long least = Long.MAX_VALUE;
        // Rounds until C2 has compiled the loops (interpreted vector code allocates); bounded for a loaded machine.
        for (int round = 0; round < 15 && least > 0; round++) {
            for (int i = 0; i < 20_000; i++) {
                BinaryOp op = ops[i % ops.length];
                Elementwise.perChannel(op, a, b, y, 1, 16, 64);
                Elementwise.same(op, a, full, y, a.length);
            }
            for (int rep = 0; rep < 10; rep++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (BinaryOp op : ops) {
                    Elementwise.perChannel(op, a, b, y, 1, 16, 64);
                    Elementwise.same(op, a, full, y, a.length);
                }
                least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
            }
        }
        // Boxing one vector per 16 floats would allocate kilobytes per call here (1024 floats each).
        assertTrue(least == 0, "six warm element-wise calls allocated " + least + " bytes");
    }
}
