package dev.lowbit.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads, created once, that splits a range {@code [0, n)} of independent work units
 * (output rows, blocks of output channels) into contiguous chunks, one per thread; the calling thread computes
 * chunk 0 and waits for the others. The LATENCY hint of {@link ExecutionConfig} uses it inside one inference.
 *
 * <p>Why results stay bit-identical to one thread: a chunk runs the single-thread code on its units, and every
 * unit writes its own outputs with the same arithmetic whichever thread runs it; nothing is reduced across
 * chunks. The kernels choose units so that holds (see {@code Int8Convolution}).
 *
 * <p>Thread-safe. One {@link #forRange} runs on the workers at a time; a call made while the workers are busy
 * (another model instance sharing this pool, or a call from inside a task) runs its whole range on the calling
 * thread instead of waiting, which gives the same results. Workers are daemon threads; {@link #close()} stops
 * them, after which every call runs on the caller.
 */
public final class Parallel implements AutoCloseable {
    /** Below this many multiply-accumulates a layer runs on one thread: the hand-off (~10 us) would cost more. */
    public static final long DEFAULT_MIN_MACS = 1L << 20;
    private static final int SPINS = 2000;

    /** Computes units {@code [from, to)}; {@code worker} in {@code [0, threads)} picks the caller's per-thread scratch. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    /** One posted range: immutable apart from its countdown and first failure. */
    private static final class Job {
        final RangeTask task;
        final int n;
        final int parts;
        final Thread caller;
        final AtomicInteger remaining;
        /** Chunk k > 0 runs once, on whoever claims it first: its worker, or the caller after {@link #close()}. */
        final AtomicIntegerArray claimed;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(RangeTask task, int n, int parts, Thread caller) {
            this.task = task;
            this.n = n;
            this.parts = parts;
            this.caller = caller;
            this.remaining = new AtomicInteger(parts - 1);
            this.claimed = new AtomicIntegerArray(parts);
        }

        void runChunk(int k) {
            task.run(from(k), from(k + 1), k);
        }

        /** Runs chunk k > 0 unless already claimed; counts it down; returns whether this call ran it. */
        boolean claimAndRun(int k) {
            if (!claimed.compareAndSet(k, 0, 1)) {
                return false;
            }
            try {
                runChunk(k);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
            remaining.decrementAndGet();
            return true;
        }

        int from(int k) {
            return (int) ((long) n * k / parts);
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
     * Runs {@code task} over {@code [0, n)}: chunk {@code k} = {@code [n*k/p, n*(k+1)/p)} on worker {@code k}
     * ({@code p = min(threads, n)}), chunk 0 on the caller; returns when all are done. A task's exception is
     * rethrown here (the first one), after every chunk has finished.
     */
    public void forRange(int n, RangeTask task) {
        int parts = Math.min(threads, n);
        if (parts <= 1 || closed || !busy.compareAndSet(false, true)) {
            if (n > 0) {
                task.run(0, n, 0);
            }
            return;
        }
        try {
            Job j = new Job(task, n, parts, Thread.currentThread());
            job = j;
            for (int k = 1; k < parts; k++) {
                LockSupport.unpark(workers[k - 1]);
            }
            try {
                j.runChunk(0);
            } catch (Throwable e) {
                j.failure.compareAndSet(null, e);
            }
            int spins = SPINS;
            while (j.remaining.get() > 0) {
                if (closed) {
                    // workers may have stopped before they saw this job: take over what nobody claimed
                    for (int k = 1; k < parts; k++) {
                        j.claimAndRun(k);
                    }
                }
                if (spins > 0) {
                    spins--;
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000L); // bounded: close() does not wake the caller
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
            // a job is replaced only after every one of its parts finished, so a worker that takes part sees it
            if (index < j.parts && j.claimAndRun(index) && j.remaining.get() == 0) {
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
