package io.ipop.discovery;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What cluster discovery did with the peer records it saw: how many it follows and how many it refused, by
 * {@link RecordRefusal}, and what its {@link PeerCache} read, ignored or failed to write. Written by the one discovery actor, read by the management API; thread-safe.
 */
public final class RecordCounters {
    private final AtomicLongArray refused = new AtomicLongArray(RecordRefusal.values().length);
    private final AtomicInteger followed = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLongArray peerCache = new AtomicLongArray(PeerCache.PeerCacheCounter.values().length);

    void refuse(RecordRefusal reason) {
        refused.incrementAndGet(reason.ordinal());
    }

    void countPeerCache(PeerCache.PeerCacheCounter what) {
        countPeerCache(what, 1);
    }

    void countPeerCache(PeerCache.PeerCacheCounter what, long n) {
        peerCache.addAndGet(what.ordinal(), n);
    }

    public long peerCache(PeerCache.PeerCacheCounter what) {
        return peerCache.get(what.ordinal());
    }

    /** The peer cache's counters by name ({@link PeerCache}), in declaration order. */
    public Map<String, Long> peerCacheCounters() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (PeerCache.PeerCacheCounter c : PeerCache.PeerCacheCounter.values()) {
            out.put(c.counter(), peerCache(c));
        }
        return out;
    }

    void followed(int peers) {
        followed.set(peers);
    }

    void pending(int records) {
        pending.set(records);
    }

    public long refused(RecordRefusal reason) {
        return refused.get(reason.ordinal());
    }

    /** Peers announced to the peer directory now. */
    public int followed() {
        return followed.get();
    }

    /** Valid records not followed yet because this node has not seen their member's TLS certificate. */
    public int pending() {
        return pending.get();
    }

    /** Every refusal counter by its name, in declaration order. */
    public Map<String, Long> refusedByReason() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (RecordRefusal r : RecordRefusal.values()) {
            out.put(r.counter(), refused(r));
        }
        return out;
    }

    /** All refusals so far. */
    long totalRefused() {
        long n = 0;
        for (int i = 0; i < refused.length(); i++) {
            n += refused.get(i);
        }
        return n;
    }

    /** The non-zero refusal counters, e.g. {@code unsigned 300, identity_mismatch 2}. */
    String describeRefused() {
        StringBuilder b = new StringBuilder();
        refusedByReason().forEach((reason, n) -> {
            if (n > 0) {
                b.append(b.isEmpty() ? "" : ", ").append(reason).append(' ').append(n);
            }
        });
        return b.toString();
    }

    /** For tests. */
    Map<RecordRefusal, Long> snapshot() {
        Map<RecordRefusal, Long> out = new EnumMap<>(RecordRefusal.class);
        for (RecordRefusal r : RecordRefusal.values()) {
            out.put(r, refused(r));
        }
        return out;
    }
}
