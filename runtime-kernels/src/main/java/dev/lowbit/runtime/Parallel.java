package dev.lowbit.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads, created once, that splits a range {@code [0, n)} of independent work units
 * (output rows, blocks of output channels) into contiguous chunks, one per thread; each thread runs its own
 * chunk, then any chunk still untaken, and the caller returns when all are done. The LATENCY hint of
 * {@link ExecutionConfig} uses it inside one inference.
 *
 * <p>Why results stay bit-identical to one thread: a chunk runs the single-thread code on its units, and every
 * unit writes its own outputs with the same arithmetic whichever thread runs it; nothing is reduced across
 * chunks. The kernels choose units so that holds (see {@code Int8Convolution}).
 *
 * <p>Why one chunk per thread, each thread's own: consecutive split layers then give every thread the same
 * part of every tensor (the caller the first rows, the worker the next), so each reads what it wrote, from its own
 * cache. Chunks taken in turn (4 per thread, earlier) moved most tensors between the cores' caches on every layer:
 * an FMA layer's centring pass ran 3.5x slower on two threads than on one (80 vs 25 us, 64 x 75 x 75), and a
 * 3x3 layer split into 8 chunks gained 1.2x where 2 gained 1.6x (docs/performance.md). Why untaken chunks are
 * still taken: on a loaded machine a worker may not be scheduled for a while; the caller then runs its chunk too,
 * and the split layer costs about what it costs on one thread.
 *
 * <p>Thread-safe. One {@link #forRange} runs on the workers at a time; a call made while the workers are busy
 * (another model instance sharing this pool, or a call from inside a task) runs its whole range on the calling
 * thread instead of waiting, which gives the same results. Workers are daemon threads; {@link #close()} stops
 * them, after which every call runs on the caller.
 */
public final class Parallel implements AutoCloseable {
    /**
     * Below this many multiply-accumulates a layer runs on one thread. Not the hand-off (2-3 us while the workers
     * spin) but the data: a split layer leaves half its output in the other core's cache, and whatever reads it
     * next pays the transfer. On this project's 2-vCPU machine layers of 1-9 million MACs lost (landmarks' 2.7M
     * layers made the model 0.76-0.85x on two threads; face-detection's 2.9-8.9M layers ran 0.5-0.9x), layers of
     * 12M and more gained 1.1-1.46x (PairedThreads, docs/performance.md).
     */
    public static final long DEFAULT_MIN_MACS = 1L << 23;
    /** Multiply-accumulates per value read and written below which a layer stays on one thread (see below). */
    public static final int MIN_MACS_PER_VALUE = 64;
    /**
     * How long a waiting thread spins before it parks: a worker after its last chunk, the caller for the last chunks
     * of others. Why this long: waking a parked thread cost 40-50 us per split layer on this project's 2-vCPU VM
     * (a 30 us layer took 74 us on two threads), more than most split layers save, while the gaps between the split
     * layers of one inference are mostly shorter than this; OpenMP runtimes spin 200 ms by default for the same
     * reason. The price is a core kept busy for up to this long after each inference.
     */
    static final long SPIN_NANOS = 2_000_000L;

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
        /** Chunk k is 1 once a thread has taken it. */
        final AtomicIntegerArray taken;
        final AtomicInteger remaining;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(RangeTask task, int n, int chunks, Thread caller) {
            this.task = task;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
            this.taken = new AtomicIntegerArray(chunks);
            this.remaining = new AtomicInteger(chunks);
        }

        /**
         * Runs thread {@code worker}'s own chunk (chunk {@code worker}), then every chunk no thread has taken yet;
         * returns whether this call finished the last one.
         */
        boolean runChunks(int worker) {
            boolean last = false;
            for (int i = 0; i < chunks; i++) {
                int k = (worker + i) % chunks;
                if (taken.compareAndSet(k, 0, 1)) {
                    try {
                        task.run(from(k), from(k + 1), worker);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    last = remaining.decrementAndGet() == 0;
                }
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
        this(threads, minMacs, true);
    }

    private Parallel(int threads, long minMacs, boolean startWorkers) {
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
            if (startWorkers) {
                t.start();
            }
        }
    }

    /** A pool whose workers are never started: workers the OS never schedules, for tests of the caller's side. */
    static Parallel withUnscheduledWorkers(int threads) {
        return new Parallel(threads, 0, false);
    }

    /**
     * A pool of {@code threads} (the caller plus {@code threads - 1} daemon workers), splitting layers of at least
     * {@link #DEFAULT_MIN_MACS} (2^23) MACs.
     */
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
     * Whether a layer of {@code macs} multiply-accumulates that reads and writes {@code values} values is worth
     * splitting: as {@link #worthSplitting(long)}, and with at least {@value #MIN_MACS_PER_VALUE} per value unless
     * this pool splits every layer (minMacs 0). Why: below it the work is memory-bound, and on two cores that share
     * caches poorly the split lost (face-detection's 1x1 f32 layers of 13-26 MACs per value ran 0.5-0.9x on two
     * threads, its 3x3 layers of 115-230 gained 1.2-1.5x).
     */
    public boolean worthSplitting(long macs, long values) {
        return worthSplitting(macs) && (minMacs == 0 || macs >= MIN_MACS_PER_VALUE * values);
    }

    /**
     * Runs {@code task} over {@code [0, n)} in {@code c = min(n, threads)} contiguous chunks
     * {@code [n*k/c, n*(k+1)/c)}, chunk k run by thread k (0 = the caller) unless another thread took it first;
     * returns when all are done. A task's exception is rethrown here (the first one), after every chunk has
     * finished.
     */
    public void forRange(int n, RangeTask task) {
        int chunks = Math.min(n, threads);
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
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (j.remaining.get() > 0) {
                if (System.nanoTime() < spinUntil) {
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
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while ((j = job) == last) {
                if (closed) {
                    return;
                }
                if (System.nanoTime() < spinUntil) {
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
