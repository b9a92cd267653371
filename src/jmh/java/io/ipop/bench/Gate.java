package io.ipop.bench;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Paces a graph benchmark: the source (TAP read or UDP receive) takes one permit per frame, so exactly
 * the frames an invocation {@link #release}s enter the graph; the sink counts what leaves it, and
 * {@link #await} returns when all of them have. Between invocations the source waits, so the graph is
 * idle while JMH does its bookkeeping.
 */
final class Gate {
    /** How long a waiting source sleeps before it looks at {@link #closed} again (the TAP poll interval). */
    private static final long POLL_MILLIS = 100;

    private final Semaphore permits = new Semaphore(0);
    private final AtomicLong left = new AtomicLong();
    private final Object lock = new Object();
    private volatile long target = Long.MAX_VALUE;
    private volatile boolean closed;

    /** Source side: false once closed, else true when a frame may enter (waiting for it if need be). */
    boolean enter() {
        try {
            while (!closed) {
                if (permits.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Source side, for a device that returns "nothing yet" after a poll interval (the TAP). */
    int tryEnter() {
        try {
            if (closed) {
                return -1;
            }
            return permits.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS) ? 1 : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Source side, without waiting: 1 if a frame may enter now, 0 if not, -1 once closed. */
    int enterNow() {
        if (closed) {
            return -1;
        }
        return permits.tryAcquire() ? 1 : 0;
    }

    /** Sink side: one frame left the graph. */
    void left() {
        if (left.incrementAndGet() == target) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    long leftSoFar() {
        return left.get();
    }

    /** Lets {@code n} more frames in; returns the sink count to {@link #await}. */
    long release(int n) {
        long t = left.get() + n;
        target = t;
        permits.release(n);
        return t;
    }

    /**
     * Waits until the sink has counted {@code t} frames.
     *
     * @throws IllegalStateException after {@code timeoutMillis}: frames were dropped (see {@code why})
     */
    void await(long t, long timeoutMillis, Supplier<String> why) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            while (left.get() < t) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new IllegalStateException("only " + left.get() + " of " + t + " frames came through: " + why.get());
                }
                lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
            }
        }
    }

    void close() {
        closed = true;
    }
}
