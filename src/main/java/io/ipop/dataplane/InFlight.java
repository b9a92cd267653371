package io.ipop.dataplane;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bursts of one graph that have left its read stage and are not yet written (or dropped): the state
 * that decides whether a burst may skip the queue. Thread-safe; the reading thread claims, the
 * processing and writing threads release.
 *
 * <p>Contract: a burst may be written by the reading thread itself only through {@link #claimIdle},
 * which succeeds only when nothing is in flight, so such a write can never overtake a queued burst; the
 * claim is released with {@link #left} once written. The atomic also orders memory: everything the
 * other threads did with the last burst happens before a successful claim.
 */
final class InFlight {
    private final AtomicInteger bursts = new AtomicInteger();

    /** Claims the graph for a direct write; true only if no burst is queued, processed or being written. */
    boolean claimIdle() {
        return bursts.compareAndSet(0, 1);
    }

    /** A burst goes into the queue. */
    void entered() {
        bursts.incrementAndGet();
    }

    /** A burst was written, or dropped on the way. */
    void left() {
        bursts.decrementAndGet();
    }
}
