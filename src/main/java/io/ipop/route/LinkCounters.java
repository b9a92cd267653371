package io.ipop.route;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Traffic counters of one peer link. Written by the data plane (inbound and outbound each from its
 * own thread) and the link's actor, read by management. Lock-free.
 */
public final class LinkCounters {
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong controlIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong drops = new AtomicLong();
    private final AtomicLong activity = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong forwardedBytes = new AtomicLong();
    /** Drops by reason: the index is the data plane's reason number ({@code counters.DataDrop}'s ordinal). */
    private final AtomicLongArray dropsByReason = new AtomicLongArray(REASONS);
    /** When a drop of each reason was last logged (nanoseconds; 0 = never). */
    private final AtomicLongArray loggedAt = new AtomicLongArray(REASONS);

    /** Room for this many drop reasons. */
    public static final int REASONS = 96;

    /** A data frame of {@code bytes} arrived from the peer. */
    public void received(int bytes) {
        packetsIn.incrementAndGet();
        bytesIn.addAndGet(bytes);
        activity.incrementAndGet();
    }

    /**
     * A datagram from the peer that carries no data frame: a sealed keepalive (or key probe) that opened, or a
     * control message or DTLS record from the link's endpoint within its control budget, handed to its session.
     * With {@link #packetsIn} and the drop counters it accounts for every datagram the node received
     * (docs/management.md, {@code control_in}).
     */
    public void controlReceived() {
        controlIn.incrementAndGet();
    }

    /** A data frame of {@code bytes} was handed to the socket for the peer. */
    public void sent(int bytes) {
        packetsOut.incrementAndGet();
        bytesOut.addAndGet(bytes);
    }

    /**
     * A FORWARD datagram of {@code bytes} for another node was passed on to this link's peer (this node in
     * between, or the source of an overlay path through the peer). Not data of this link: not in {@link #sent}.
     */
    public void forwarded(int bytes) {
        forwarded.incrementAndGet();
        forwardedBytes.addAndGet(bytes);
    }

    public long forwarded() {
        return forwarded.get();
    }

    public long forwardedBytes() {
        return forwardedBytes.get();
    }

    /** A data frame from or for this peer was dropped (the reason is counted per stage). */
    public void dropped() {
        drops.incrementAndGet();
    }

    /** A frame from or for this peer was dropped for reason number {@code reason} (0..{@value #REASONS}-1). */
    public void dropped(int reason) {
        drops.incrementAndGet();
        dropsByReason.incrementAndGet(reason);
    }

    /** Drops of reason number {@code reason}. */
    public long drops(int reason) {
        return dropsByReason.get(reason);
    }

    /**
     * True at most once per {@code intervalNanos} per reason: the caller may log this drop. Lock-free;
     * of two racing callers one wins.
     */
    public boolean mayLog(int reason, long nowNanos, long intervalNanos) {
        long last = loggedAt.get(reason);
        return (last == 0 || nowNanos - last >= intervalNanos) && loggedAt.compareAndSet(reason, last, nowNanos == 0 ? 1 : nowNanos);
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

    public long controlIn() {
        return controlIn.get();
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
