package io.ipop.route;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The learning part of the L2 switch: which peer a source MAC was last seen behind.
 *
 * <p>Written by the inbound path (learning) and the control plane (a link's own MAC at link-up, purges
 * at link-down); read by the outbound path. Entries older than the TTL are ignored, removed when
 * looked up, and swept out when the table is full.
 * Time is passed in (nanoseconds) so tests control it.
 */
public final class MacTable {
    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int capacity;
    /** When the last sweep of a full table ran; 0 = never. Racy on purpose: a lost update costs one extra sweep. */
    private volatile long lastSweepNanos;

    private record Entry(String peer, long seenNanos) {
    }

    /**
     * @param ttlNanos how long a learned entry stays valid without being seen again
     * @param capacity most entries held; new MACs beyond it are not learned (their frames flood)
     */
    public MacTable(long ttlNanos, int capacity) {
        this.ttlNanos = ttlNanos;
        this.capacity = capacity;
    }

    /**
     * Records that {@code mac} was seen behind {@code peer}. Rewrites an entry only when the peer
     * changed or the entry is a second old, so a steady flow costs one map read per frame.
     */
    public void learn(long mac, String peer, long nowNanos) {
        Entry e = entries.get(mac);
        if (e != null && e.peer.equals(peer) && nowNanos - e.seenNanos < 1_000_000_000L) {
            return;
        }
        if (e == null && entries.size() >= capacity && !sweepExpired(nowNanos)) {
            return;
        }
        entries.put(mac, new Entry(peer, nowNanos));
    }

    /**
     * Removes expired entries so a full table can learn again; at most once a second, so a flood of
     * new source MACs costs one sweep a second, not one per frame.
     *
     * @return true if there is room now
     */
    private boolean sweepExpired(long nowNanos) {
        long last = lastSweepNanos;
        if (nowNanos - last < 1_000_000_000L && last != 0) {
            return false;
        }
        lastSweepNanos = nowNanos == 0 ? 1 : nowNanos;
        entries.values().removeIf(x -> nowNanos - x.seenNanos > ttlNanos);
        return entries.size() < capacity;
    }

    /** The peer behind {@code mac}, or {@code null} if unknown or expired. */
    public String lookup(long mac, long nowNanos) {
        Entry e = entries.get(mac);
        if (e == null) {
            return null;
        }
        if (nowNanos - e.seenNanos > ttlNanos) {
            entries.remove(mac, e);
            return null;
        }
        return e.peer;
    }

    /** Forgets every MAC learned behind {@code peer} (its link went down). */
    public void forget(String peer) {
        entries.values().removeIf(e -> e.peer.equals(peer));
    }

    public int size() {
        return entries.size();
    }
}
