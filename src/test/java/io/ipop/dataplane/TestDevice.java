package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A device like the socket or TAP for the graph tests: {@link #read} blocks until an element is offered or
 * the device is closed, then takes it and what else waits (up to {@code maxBurst} in all), reporting
 * whether it had to wait. Records the reading thread.
 */
final class TestDevice<T> {
    private static final long WAIT_SECONDS = 10;

    final BlockingQueue<T> incoming = new LinkedBlockingQueue<>();
    final AtomicInteger taken = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    private final int maxBurst;
    volatile Thread reader;
    volatile boolean waiting;

    TestDevice(int maxBurst) {
        this.maxBurst = maxBurst;
    }

    Optional<ReadBurst<T>> read() {
        reader = Thread.currentThread();
        T next = incoming.poll();
        boolean waited = next == null;
        try {
            waiting = waited;
            while (next == null && !closed.get()) {
                next = incoming.poll(20, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting = false;
        }
        if (next == null) {
            return Optional.empty();
        }
        List<T> burst = new ArrayList<>();
        burst.add(next);
        incoming.drainTo(burst, maxBurst - 1);
        taken.addAndGet(burst.size());
        return Optional.of(new ReadBurst<>(burst, waited));
    }

    Supplier<BlockingSource.Read<ReadBurst<T>>> reads() {
        return () -> this::read;
    }

    /**
     * Offers {@code element} once {@code takenBefore} elements were taken and the reader waits for the
     * next: the path is idle. ({@link #taken} counts after a read clears {@link #waiting}, so a
     * {@code waiting} seen after that belongs to the next read.)
     */
    void offerWhenIdle(T element, int takenBefore) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (taken.get() < takenBefore || !waiting) {
            assertTrue(System.nanoTime() < deadline, "the reader never came back to wait for element " + element);
            Thread.sleep(1);
        }
        incoming.add(element);
    }
}
