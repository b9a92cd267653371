package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NonceCacheTest {
    private final NonceCache cache = new NonceCache(Duration.ofSeconds(30), 1000);

    @Test
    void repeatWithinWindowIsRefused() {
        assertTrue(cache.firstSeen("a", "n1", 1_000));
        assertFalse(cache.firstSeen("a", "n1", 1_000));
        assertFalse(cache.firstSeen("a", "n1", 30_999));
    }

    @Test
    void sameNonceFromAnotherNodeIsDistinct() {
        assertTrue(cache.firstSeen("a", "n1", 0));
        assertTrue(cache.firstSeen("b", "n1", 0));
        assertTrue(cache.firstSeen("a", "n2", 0));
    }

    @Test
    void expiredEntriesAreForgottenAndEvicted() {
        assertTrue(cache.firstSeen("a", "n1", 0));
        assertTrue(cache.firstSeen("a", "n2", 10_000));
        assertTrue(cache.firstSeen("a", "n1", 30_000), "exactly one window later");
        assertEquals(2, cache.size(), "n1 re-recorded, n2 still young");
        assertTrue(cache.firstSeen("x", "y", 100_000));
        assertEquals(1, cache.size(), "everything older than the window evicted");
    }

    @Test
    void boundedUnderAFloodByDroppingTheOldest() {
        NonceCache small = new NonceCache(Duration.ofMinutes(5), 3);
        assertTrue(small.firstSeen("a", "1", 0));
        assertTrue(small.firstSeen("a", "2", 1));
        assertTrue(small.firstSeen("a", "3", 2));
        assertTrue(small.firstSeen("a", "4", 3));
        assertEquals(3, small.size());
        assertTrue(small.firstSeen("a", "1", 4), "the oldest was dropped to make room");
        assertFalse(small.firstSeen("a", "4", 5));
        for (int i = 0; i < 100_000; i++) {
            small.firstSeen("flood", Integer.toString(i), 10);
        }
        assertEquals(3, small.size());
    }

    @Test
    void clockSteppingBackKeepsEntriesLonger() {
        assertTrue(cache.firstSeen("a", "n1", 50_000));
        assertFalse(cache.firstSeen("a", "n1", 10_000));
    }

    @Test
    void rejectsNonsenseConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(Duration.ZERO, 10));
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(Duration.ofSeconds(1), 0));
    }
}
