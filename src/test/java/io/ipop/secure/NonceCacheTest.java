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
    void boundedPerNodeByDroppingItsOldest() {
        NonceCache small = new NonceCache(Duration.ofMinutes(5), 3);
        assertTrue(small.firstSeen("a", "1", 0));
        assertTrue(small.firstSeen("a", "2", 1));
        assertTrue(small.firstSeen("a", "3", 2));
        assertTrue(small.firstSeen("a", "4", 3));
        assertEquals(3, small.size("a"));
        assertTrue(small.firstSeen("a", "1", 4), "the oldest was dropped to make room");
        assertFalse(small.firstSeen("a", "4", 5));
    }

    /** The attack: a few certificate holders flood fresh hellos to flush the others' nonces, then replay them. */
    @Test
    void aFloodByAFewNodesNeverEvictsAnotherNodesFreshNonces() {
        NonceCache cache = new NonceCache(Duration.ofMinutes(2), 100, 1000);
        for (int i = 0; i < 50; i++) {
            assertTrue(cache.firstSeen("victim", "v" + i, 0));
        }
        for (int i = 0; i < 200_000; i++) {
            cache.firstSeen("holder-" + (i % 5), Integer.toString(i), 10);
        }
        assertEquals(50, cache.size("victim"), "the victim's nonces are all still there");
        for (int i = 0; i < 50; i++) {
            assertFalse(cache.firstSeen("victim", "v" + i, 20), "v" + i + " replayed");
        }
        assertTrue(cache.size() <= 1000, "bounded in all: " + cache.size());
    }

    @Test
    void theTotalBoundTakesFromTheNodeHoldingTheMost() {
        NonceCache cache = new NonceCache(Duration.ofMinutes(2), 10, 12);
        assertTrue(cache.firstSeen("small", "s", 0));
        for (int i = 0; i < 30; i++) {
            cache.firstSeen("big-" + (i % 2), Integer.toString(i), 1);
        }
        assertEquals(12, cache.size());
        assertEquals(1, cache.size("small"));
    }

    @Test
    void aCopyFromAnotherSourceIsElsewhereAndOnlyAFewSourcesAreRemembered() {
        assertEquals(NonceCache.Seen.FIRST, cache.record("a", "n", "attacker", 0));
        assertEquals(NonceCache.Seen.REPEATED, cache.peek("a", "n", "attacker", 1));
        assertEquals(NonceCache.Seen.ELSEWHERE, cache.peek("a", "n", "genuine", 1));
        assertEquals(NonceCache.Seen.ELSEWHERE, cache.record("a", "n", "genuine", 1));
        assertEquals(NonceCache.Seen.REPEATED, cache.record("a", "n", "genuine", 2));
        assertEquals(NonceCache.Seen.ELSEWHERE, cache.record("a", "n", "s3", 3));
        assertEquals(NonceCache.Seen.ELSEWHERE, cache.record("a", "n", "s4", 3));
        assertEquals(NonceCache.Seen.REPEATED, cache.record("a", "n", "s5", 3), "at most " + NonceCache.MAX_SOURCES);
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
        assertThrows(IllegalArgumentException.class, () -> new NonceCache(Duration.ofSeconds(1), 10, 5));
    }
}
