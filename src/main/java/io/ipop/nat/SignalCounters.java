package io.ipop.nat;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How much link setup went through rendezvous nodes (docs/nat.md), for {@code /overlay/node}: hellos
 * this node sent through a rendezvous, hellos a rendezvous passed on to it that it took, and, as a
 * rendezvous, hellos it passed on between two linked nodes. What was refused is counted with the drops
 * (stage {@code signaling}). Thread-safe.
 */
public final class SignalCounters {
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();

    /** The counts at one moment. */
    public record View(long sent, long received, long forwarded) {
    }

    public View view() {
        return new View(sent.get(), received.get(), forwarded.get());
    }

    void sent() {
        sent.incrementAndGet();
    }

    void received() {
        received.incrementAndGet();
    }

    void forwarded() {
        forwarded.incrementAndGet();
    }
}
