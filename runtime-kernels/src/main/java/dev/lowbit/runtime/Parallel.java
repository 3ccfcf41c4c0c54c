package dev.lowbit.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads, created once, that splits a range {@code [0, n)} of independent work units
 * (output rows, blocks of output channels) into contiguous chunks; the calling thread and the workers take
 * chunks in order until none is left, and the caller returns when all are done. The LATENCY hint of
 * {@link ExecutionConfig} uses it inside one inference.
 *
 * <p>Why results stay bit-identical to one thread: a chunk runs the single-thread code on its units, and every
 * unit writes its own outputs with the same arithmetic whichever thread runs it; nothing is reduced across
 * chunks. The kernels choose units so that holds (see {@code Int8Convolution}).
 *
 * <p>Why chunks are taken, not assigned: on a loaded machine a worker may not be scheduled for a while; a
 * fixed split would make the caller wait for it, while with {@value #CHUNKS_PER_THREAD} chunks per thread
 * taken in turn the caller simply does more of them (at worst all: then a split layer costs about what it costs on
 * one thread).
 *
 * <p>Thread-safe. One {@link #forRange} runs on the workers at a time; a call made while the workers are busy
 * (another model instance sharing this pool, or a call from inside a task) runs its whole range on the calling
 * thread instead of waiting, which gives the same results. Workers are daemon threads; {@link #close()} stops
 * them, after which every call runs on the caller.
 */
public final class Parallel implements AutoCloseable {
    /** Below this many multiply-accumulates a layer runs on one thread: the hand-off (~10 us) would cost more. */
    public static final long DEFAULT_MIN_MACS = 1L << 20;
    /** Chunks per thread: enough to balance a late worker, few enough that taking one costs nothing. */
    public static final int CHUNKS_PER_THREAD = 4;
    private static final int SPINS = 2000;

    /**
     * Computes units {@code [from, to)}; {@code worker} in {@code [0, threads)} (0 = the caller) names the running
     * thread, so that the task can use that thread's slot of per-thread scratch.
     */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    /** One posted range: immutable apart from its counters and first failure. */
    private static final class Job {
        final RangeTask task;
        final int n;
        final int chunks;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger remaining;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(RangeTask task, int n, int chunks, Thread caller) {
            this.task = task;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
            this.remaining = new AtomicInteger(chunks);
        }

        /** Takes and runs chunks until none is left; returns whether this call finished the last one. */
        boolean runChunks(int worker) {
            boolean last = false;
            for (int k; (k = next.getAndIncrement()) < chunks; ) {
                try {
                    task.run(from(k), from(k + 1), worker);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                last = remaining.decrementAndGet() == 0;
            }
            return last;
        }

        int from(int k) {
            return (int) ((long) n * k / chunks);
        }
    }

    private final int threads;
    private final long minMacs;
    private final Thread[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job;
    private volatile boolean closed;

    private Parallel(int threads, long minMacs) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (minMacs < 0) {
            throw new IllegalArgumentException("minMacs must be >= 0, got " + minMacs);
        }
        this.threads = threads;
        this.minMacs = minMacs;
        this.workers = new Thread[threads - 1];
        for (int k = 0; k < workers.length; k++) {
            int index = k + 1;
            Thread t = new Thread(() -> work(index), "lowbit-parallel-" + index);
            t.setDaemon(true);
            workers[k] = t;
        }
        for (Thread t : workers) {
            t.start();
        }
    }

    /** A pool of {@code threads} (the caller plus {@code threads - 1} daemon workers), splitting layers of >= 2^20 MACs. */
    public static Parallel create(int threads) {
        return new Parallel(threads, DEFAULT_MIN_MACS);
    }

    /** As {@link #create(int)}, splitting layers of at least {@code minMacs} multiply-accumulates (0: all; tests use it). */
    public static Parallel create(int threads, long minMacs) {
        return new Parallel(threads, minMacs);
    }

    /** Threads a range is split over, the caller included. */
    public int threads() {
        return threads;
    }

    /** Whether a layer of {@code macs} multiply-accumulates is worth splitting on this pool. */
    public boolean worthSplitting(long macs) {
        return threads > 1 && macs >= minMacs && !closed;
    }

    /**
     * Runs {@code task} over {@code [0, n)} in {@code c = min(n, threads * CHUNKS_PER_THREAD)} contiguous chunks
     * {@code [n*k/c, n*(k+1)/c)}, taken in order by the caller and the workers; returns when all are done. A task's
     * exception is rethrown here (the first one), after every chunk has finished.
     */
    public void forRange(int n, RangeTask task) {
        int chunks = Math.min(n, threads * CHUNKS_PER_THREAD);
        if (threads == 1 || chunks <= 1 || closed || !busy.compareAndSet(false, true)) {
            if (n > 0) {
                task.run(0, n, 0);
            }
            return;
        }
        try {
            Job j = new Job(task, n, chunks, Thread.currentThread());
            job = j;
            for (int k = 0; k < Math.min(workers.length, chunks - 1); k++) {
                LockSupport.unpark(workers[k]);
            }
            j.runChunks(0);
            int spins = SPINS;
            while (j.remaining.get() > 0) {
                if (spins > 0) {
                    spins--;
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000L);
                }
            }
            Throwable e = j.failure.get();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            if (e != null) {
                throw new IllegalStateException(e);
            }
        } finally {
            busy.set(false);
        }
    }

    private void work(int index) {
        Job last = null;
        while (true) {
            Job j;
            int spins = SPINS;
            while ((j = job) == last) {
                if (closed) {
                    return;
                }
                if (spins > 0) {
                    spins--;
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            last = j;
            // a late worker finds every chunk taken and goes back to waiting; the caller never depends on it
            if (j.runChunks(index)) {
                LockSupport.unpark(j.caller);
            }
        }
    }

    /** Stops the workers (idempotent); later calls run on the caller. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public String toString() {
        return "Parallel[threads=" + threads + ", minMacs=" + minMacs + (closed ? ", closed" : "") + "]";
    }
}
