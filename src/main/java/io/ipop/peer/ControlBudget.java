package io.ipop.peer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many control datagrams (control messages and DTLS records) per second the data plane may hand to
 * one peer's session: token buckets per configured peer name. A session checks a certificate and a
 * signature per hello, so without a bound a flood of forged hellos in a known peer's name queues in the
 * session's mailbox faster than it is worked off, until the heap is gone (docs/reliability.md). A link
 * needs a few datagrams a second (keepalives, a handshake's flights), far below the budget.
 *
 * <p>Each peer has two buckets: one for datagrams from the address its link uses, one for datagrams from
 * anywhere else (a peer that moved, or an attacker), so a flood from elsewhere does not starve the
 * peer's own keepalives and hellos.
 *
 * <p>Thread-safe. Memory: two buckets per peer name the caller asks about; callers ask only for known peers.
 */
public final class ControlBudget {
    /** Datagrams a second per peer, and the burst allowed above that rate. */
    public static final int RATE = 500;
    public static final int BURST = 1000;

    private final int rate;
    private final int burst;
    private final Map<Key, Bucket> buckets = new ConcurrentHashMap<>();

    private record Key(String key, boolean fromLinkEndpoint) {
    }

    public ControlBudget() {
        this(RATE, BURST);
    }

    public ControlBudget(int rate, int burst) {
        if (rate < 1 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be positive: " + rate + ", " + burst);
        }
        this.rate = rate;
        this.burst = burst;
    }

    /**
     * Takes one datagram's worth at {@code nowNanos} from bucket {@code key}'s for datagrams from its link's
     * address ({@code fromLinkEndpoint}) or from elsewhere; false if that bucket is empty.
     */
    public boolean take(String key, boolean fromLinkEndpoint, long nowNanos) {
        return buckets.computeIfAbsent(new Key(key, fromLinkEndpoint), k -> new Bucket(burst, nowNanos))
                .take(nowNanos, rate, burst);
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.last = now;
        }

        synchronized boolean take(long now, int rate, int burst) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * 1e-9 * rate);
                last = now;
            }
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
