package io.ipop.secure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers which (node, nonce) pairs were seen in the last {@code window}, and from which source addresses,
 * to refuse replayed handshake messages. Callers must also refuse messages whose own timestamp is older than
 * {@code window}, so a nonce forgotten after the window cannot be replayed.
 *
 * <p>Sources: the same hello may legitimately arrive from two addresses (an on-path attacker re-sends a
 * captured hello from its own address, and the genuine copy follows). The first copy is {@link Seen#FIRST};
 * a copy from another source is {@link Seen#ELSEWHERE} (its sender may use it only to validate that address,
 * never to change a link), at most {@value #MAX_SOURCES} sources per nonce; a copy from a source already
 * recorded, or beyond that, is {@link Seen#REPEATED}.
 *
 * <p>Memory is bounded per node: each node name holds at most {@code maxPerNode} unexpired nonces (its oldest
 * is dropped to make room), and all nodes together at most {@code maxTotal}: when that is full, the oldest
 * nonce of the node holding the most is dropped. Only hellos whose signature verified are recorded, so a node
 * name fills only with its certificate holder's own hellos: a few certificate holders flooding fresh hellos
 * evict their own nonces, never another node's, while those are fresh. Strings are held as given: callers
 * bound their length (control messages are size-limited on the wire).
 *
 * <p>{@code nowMillis} should not go backwards (a clock step back only keeps entries longer). Thread-safe
 * (synchronized; calls are rare, one per verified handshake message).
 */
public final class NonceCache {
    /** Addresses one nonce is remembered from. */
    public static final int MAX_SOURCES = 4;

    /** What a recorded copy of a hello is. */
    public enum Seen {
        /** The nonce was not seen within the window. */
        FIRST,
        /** Seen before, but from other sources only: this copy comes from a new address. */
        ELSEWHERE,
        /** Seen before from this very source (or from too many): a replay. */
        REPEATED
    }

    private final long windowMillis;
    private final int maxPerNode;
    private final int maxTotal;
    /** Per node, its nonces in first-seen order. */
    private final Map<String, LinkedHashMap<String, Entry>> byNode = new HashMap<>();
    private int total;

    private static final class Entry {
        final long at;
        final List<Object> sources = new ArrayList<>(1);

        Entry(long at) {
            this.at = at;
        }
    }

    /** At most {@code maxPerNode} nonces per node and 64 times that in all. */
    public NonceCache(Duration window, int maxPerNode) {
        this(window, maxPerNode, (int) Math.min(Integer.MAX_VALUE, 64L * maxPerNode));
    }

    public NonceCache(Duration window, int maxPerNode, int maxTotal) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("nonce window must be positive, was " + window);
        }
        if (maxPerNode < 1 || maxTotal < maxPerNode) {
            throw new IllegalArgumentException("nonce cache must hold at least one entry per node, and as many in all: "
                    + maxPerNode + ", " + maxTotal);
        }
        this.windowMillis = window.toMillis();
        this.maxPerNode = maxPerNode;
        this.maxTotal = maxTotal;
    }

    /**
     * Records (node, nonce) from any source at {@code nowMillis}. Returns false if the same pair was recorded
     * less than {@code window} ago (a replay); true otherwise.
     */
    public boolean firstSeen(String node, String nonce, long nowMillis) {
        return record(node, nonce, null, nowMillis) == Seen.FIRST;
    }

    /** What a copy of (node, nonce) from {@code source} would be, without recording it (a cheap pre-check). */
    public synchronized Seen peek(String node, String nonce, Object source, long nowMillis) {
        LinkedHashMap<String, Entry> nonces = byNode.get(node);
        Entry e = nonces == null ? null : nonces.get(nonce);
        if (e == null || nowMillis - e.at >= windowMillis) {
            return Seen.FIRST;
        }
        return e.sources.contains(source) || e.sources.size() >= MAX_SOURCES ? Seen.REPEATED : Seen.ELSEWHERE;
    }

    /** Records (node, nonce) from {@code source} (any value with equals; null is a source too) at {@code nowMillis}. */
    public synchronized Seen record(String node, String nonce, Object source, long nowMillis) {
        evictAllExpired(nowMillis);
        LinkedHashMap<String, Entry> nonces = byNode.computeIfAbsent(node, n -> new LinkedHashMap<>());
        Entry e = nonces.get(nonce);
        if (e != null && nowMillis - e.at < windowMillis) {
            if (e.sources.contains(source) || e.sources.size() >= MAX_SOURCES) {
                return Seen.REPEATED;
            }
            e.sources.add(source);
            return Seen.ELSEWHERE;
        }
        if (e != null) {                                // expired out of order (clock stepped back): re-insert at the tail
            nonces.remove(nonce);
            total--;
        }
        if (nonces.size() >= maxPerNode) {
            dropOldest(nonces);
        }
        if (total >= maxTotal) {
            dropOldest(largest());
        }
        Entry fresh = new Entry(nowMillis);
        fresh.sources.add(source);
        nonces.put(nonce, fresh);
        total++;
        return Seen.FIRST;
    }

    public synchronized int size() {
        return total;
    }

    /** Unexpired nonces held for {@code node}, as of the last call that touched it. */
    public synchronized int size(String node) {
        LinkedHashMap<String, Entry> nonces = byNode.get(node);
        return nonces == null ? 0 : nonces.size();
    }

    /** The node holding the most nonces. */
    private LinkedHashMap<String, Entry> largest() {
        LinkedHashMap<String, Entry> max = null;
        for (LinkedHashMap<String, Entry> n : byNode.values()) {
            if (max == null || n.size() > max.size()) {
                max = n;
            }
        }
        return Objects.requireNonNull(max, "total > 0 means some node holds a nonce");
    }

    /** Drops every expired nonce, and nodes left with none (one pass over the nodes: calls are rare). */
    private void evictAllExpired(long nowMillis) {
        Iterator<LinkedHashMap<String, Entry>> it = byNode.values().iterator();
        while (it.hasNext()) {
            LinkedHashMap<String, Entry> n = it.next();
            evictExpired(n, nowMillis);
            if (n.isEmpty()) {
                it.remove();
            }
        }
    }

    private void dropOldest(LinkedHashMap<String, Entry> nonces) {
        Iterator<String> oldest = nonces.keySet().iterator();
        oldest.next();
        oldest.remove();
        total--;
    }

    /** Drops entries from the head while they are expired; first-seen order makes the expired ones a prefix. */
    private void evictExpired(LinkedHashMap<String, Entry> nonces, long nowMillis) {
        Iterator<Map.Entry<String, Entry>> it = nonces.entrySet().iterator();
        while (it.hasNext()) {
            if (nowMillis - it.next().getValue().at < windowMillis) {
                return;
            }
            it.remove();
            total--;
        }
    }
}
