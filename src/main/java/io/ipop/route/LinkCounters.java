package io.ipop.route;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic counters of one peer link. Written by the data plane (inbound and outbound each from its
 * own thread) and the link's actor, read by management. Lock-free.
 */
public final class LinkCounters {
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong drops = new AtomicLong();
    private final AtomicLong activity = new AtomicLong();

    /** A data frame of {@code bytes} arrived from the peer. */
    public void received(int bytes) {
        packetsIn.incrementAndGet();
        bytesIn.addAndGet(bytes);
        activity.incrementAndGet();
    }

    /** A data frame of {@code bytes} was handed to the socket for the peer. */
    public void sent(int bytes) {
        packetsOut.incrementAndGet();
        bytesOut.addAndGet(bytes);
    }

    /** A data frame from or for this peer was dropped (the reason is counted per stage). */
    public void dropped() {
        drops.incrementAndGet();
    }

    /** Something (data or control) was heard from the peer: liveness evidence. */
    public void heard() {
        activity.incrementAndGet();
    }

    /** Grows whenever anything is heard from the peer; compared between keepalive ticks. */
    public long activity() {
        return activity.get();
    }

    public long packetsIn() {
        return packetsIn.get();
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    public long packetsOut() {
        return packetsOut.get();
    }

    public long bytesOut() {
        return bytesOut.get();
    }

    public long drops() {
        return drops.get();
    }
}
