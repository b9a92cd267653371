package io.ipop.secure;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers which (node, nonce) pairs were seen in the last {@code window}, to refuse replayed handshake messages.
 * Callers must also refuse messages whose own timestamp is older than {@code window}, so a nonce forgotten after
 * the window cannot be replayed.
 *
 * <p>Memory is bounded by {@code maxEntries}: expired entries are evicted on every call, and when the cache is
 * full of unexpired ones the oldest is dropped. Under a flood of fresh nonces a genuine entry can thus be evicted
 * early; size {@code maxEntries} above the expected hellos per window. Strings are held as given: callers bound
 * their length (control messages are size-limited on the wire).
 *
 * <p>{@code nowMillis} should not go backwards (a clock step back only keeps entries longer). Thread-safe
 * (synchronized; calls are rare, one per handshake message).
 */
public final class NonceCache {
    private final long windowMillis;
    private final int maxEntries;
    /** In insertion order, which is first-seen order. */
    private final LinkedHashMap<Key, Long> seen = new LinkedHashMap<>();

    private record Key(String node, String nonce) {
    }

    public NonceCache(Duration window, int maxEntries) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("nonce window must be positive, was " + window);
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("nonce cache must hold at least one entry, was " + maxEntries);
        }
        this.windowMillis = window.toMillis();
        this.maxEntries = maxEntries;
    }

    /**
     * Records (node, nonce) at {@code nowMillis}. Returns false if the same pair was recorded less than
     * {@code window} ago (a replay); true otherwise.
     */
    public synchronized boolean firstSeen(String node, String nonce, long nowMillis) {
        evictExpired(nowMillis);
        Key key = new Key(node, nonce);
        Long at = seen.get(key);
        if (at != null && nowMillis - at < windowMillis) {
            return false;
        }
        seen.remove(key); // an expired entry out of order (clock stepped back): re-insert at the tail
        if (seen.size() >= maxEntries) {
            Iterator<Key> oldest = seen.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        seen.put(key, nowMillis);
        return true;
    }

    public synchronized int size() {
        return seen.size();
    }

    /** Drops entries from the head while they are expired; first-seen order makes the expired ones a prefix. */
    private void evictExpired(long nowMillis) {
        Iterator<Map.Entry<Key, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (nowMillis - it.next().getValue() < windowMillis) {
                return;
            }
            it.remove();
        }
    }
}
