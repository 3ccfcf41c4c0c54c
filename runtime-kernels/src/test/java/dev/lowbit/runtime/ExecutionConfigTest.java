package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExecutionConfigTest {
    @Test
    void configsSayHowManyThreadsOneInferenceUses() {
        ExecutionConfig single = ExecutionConfig.singleThread();
        assertEquals(1, single.threads());
        assertNull(single.parallel());
        assertEquals(PerformanceHint.THROUGHPUT, single.hint());
        try (ExecutionConfig one = ExecutionConfig.latency(1); ExecutionConfig two = ExecutionConfig.latency(2)) {
            assertEquals(1, one.threads());
            assertNull(one.parallel(), "one thread needs no pool");
            assertEquals(PerformanceHint.LATENCY, one.hint());
            assertEquals(2, two.threads());
            assertTrue(two.parallel().worthSplitting(Parallel.DEFAULT_MIN_MACS));
            two.close();
            assertTrue(!two.parallel().worthSplitting(Long.MAX_VALUE), "a closed pool splits nothing");
        }
        assertThrows(IllegalArgumentException.class, () -> ExecutionConfig.latency(0));
        try (ExecutionConfig all = ExecutionConfig.latency()) {
            assertEquals(Runtime.getRuntime().availableProcessors(), all.threads());
        }
    }
}
