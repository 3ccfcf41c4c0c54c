package dev.lowbit.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyUnitRunsExactlyOnceInContiguousChunks() {
        try (Parallel p = Parallel.create(3, 0)) {
            for (int n : new int[] {0, 1, 2, 3, 7, 100, 1001}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                Set<String> threads = ConcurrentHashMap.newKeySet();
                List<int[]> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
                p.forRange(n, (from, to, w) -> {
                    chunks.add(new int[] {from, to, w});
                    threads.add(Thread.currentThread().getName() + "#" + w);
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "unit " + i + " of " + n);
                }
                int expectedChunks = Math.min(n, 3); // one per thread
                assertEquals(expectedChunks, chunks.size(), "chunks for n=" + n);
                for (int[] c : chunks) {
                    assertTrue(c[2] >= 0 && c[2] < 3, "worker index " + c[2]);
                    assertTrue(c[1] > c[0], "non-empty chunk");
                }
                assertTrue(threads.size() <= 3, "at most one name per thread: " + threads);
            }
        }
    }

    @Test
    void workerZeroIsTheCallerAndTheOthersAreDaemons() throws Exception {
        try (Parallel p = Parallel.create(2, 0)) {
            Thread caller = Thread.currentThread();
            java.util.concurrent.CountDownLatch bothRan = new java.util.concurrent.CountDownLatch(2);
            Thread[] worker = new Thread[1];
            // 8 chunks; the first chunk each thread takes waits until the other thread has one too
            p.forRange(8, (from, to, w) -> {
                if (w == 0) {
                    assertSame(caller, Thread.currentThread());
                } else {
                    worker[0] = Thread.currentThread();
                }
                bothRan.countDown();
                try {
                    bothRan.await(200, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            if (worker[0] != null) { // the worker may not have been scheduled at all on a loaded machine
                assertTrue(worker[0].isDaemon());
                assertTrue(worker[0].getName().startsWith("lowbit-parallel-"));
            }
        }
    }

    @Test
    void anUnscheduledWorkerDoesNotStallTheCaller() {
        // the worker never runs: the caller finds its chunk untaken and runs it too
        try (Parallel p = Parallel.withUnscheduledWorkers(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            Set<Integer> workers = ConcurrentHashMap.newKeySet();
            p.forRange(100, (from, to, w) -> {
                workers.add(w);
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            assertEquals(Set.of(0), workers, "every chunk ran on the caller");
            for (int i = 0; i < 100; i++) {
                assertEquals(1, hits.get(i), "unit " + i);
            }
        }
    }

    @Test
    void aTaskExceptionReachesTheCallerAndThePoolStaysUsable() {
        try (Parallel p = Parallel.create(2, 0)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forRange(10, (from, to, w) -> {
                if (from <= 7 && 7 < to) {
                    throw new IllegalStateException("boom in worker");
                }
            }));
            assertEquals("boom in worker", e.getMessage());
            int[] sum = new int[1];
            p.forRange(4, (from, to, w) -> {
                synchronized (sum) {
                    sum[0] += to - from;
                }
            });
            assertEquals(4, sum[0]);
        }
    }

    @Test
    void concurrentAndNestedCallersEachGetTheirWholeRange() throws Exception {
        try (Parallel p = Parallel.create(2, 0); ExecutorService callers = Executors.newFixedThreadPool(4)) {
            List<Future<Long>> results = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                results.add(callers.submit(() -> {
                    long total = 0;
                    for (int round = 0; round < 300; round++) {
                        long[] sum = new long[2];
                        p.forRange(1000, (from, to, w) -> {
                            long s = 0;
                            for (int i = from; i < to; i++) {
                                s += i;
                            }
                            // nested: on the current thread while the pool is busy, but split when this caller
                            // runs alone after another caller's call freed it, so each worker keeps its own count
                            long[] inner = new long[2];
                            p.forRange(3, (a, b, v) -> inner[v] += b - a);
                            sum[w] += s + inner[0] + inner[1] - 3;
                        });
                        total += sum[0] + sum[1];
                    }
                    return total;
                }));
            }
            for (Future<Long> f : results) {
                assertEquals(300L * 999 * 1000 / 2, f.get());
            }
        }
    }

    @Test
    void afterCloseTheCallerRunsEverything() {
        Parallel p = Parallel.create(3, 0);
        p.close();
        int[] calls = new int[1];
        p.forRange(100, (from, to, w) -> {
            calls[0]++;
            assertEquals(0, from);
            assertEquals(100, to);
        });
        assertEquals(1, calls[0]);
    }

    @Test
    void splitsOnlyLayersAboveTheThreshold() {
        try (Parallel p = Parallel.create(2, 1000); Parallel one = Parallel.create(1)) {
            assertTrue(p.worthSplitting(1000));
            assertTrue(!p.worthSplitting(999));
            assertTrue(!one.worthSplitting(Long.MAX_VALUE));
            long values = 1 << 16;
            assertTrue(p.worthSplitting(Parallel.MIN_MACS_PER_VALUE * values, values), "enough MACs per value");
            assertTrue(!p.worthSplitting(Parallel.MIN_MACS_PER_VALUE * values - 1, values), "memory-bound: one thread");
        }
        try (Parallel all = Parallel.create(2, 0)) {
            assertTrue(all.worthSplitting(1, 1000), "a pool of minMacs 0 splits every layer (tests)");
        }
        assertThrows(IllegalArgumentException.class, () -> Parallel.create(0));
    }
}
