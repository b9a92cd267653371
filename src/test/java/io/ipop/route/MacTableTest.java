package io.ipop.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class MacTableTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long TTL = 300 * SECOND;
    private static final long M1 = 0x0200_0000_0001L;
    private static final long M2 = 0x0200_0000_0002L;
    private static final long M3 = 0x0200_0000_0003L;

    private final MacTable table = new MacTable(TTL, 4096);

    @Test
    void looksUpThePeerAMacWasLearnedBehind() {
        table.learn(M1, "b", 0);
        table.learn(M2, "c", 0);

        assertEquals("b", table.lookup(M1, 1));
        assertEquals("c", table.lookup(M2, 1));
        assertNull(table.lookup(M3, 1));
    }

    @Test
    void entryExpiresOnceOlderThanTheTtl() {
        long t0 = 5 * SECOND;
        table.learn(M1, "b", t0);

        assertEquals("b", table.lookup(M1, t0 + TTL));
        assertNull(table.lookup(M1, t0 + TTL + 1));
        assertEquals(0, table.size(), "an expired entry is removed when found");
    }

    @Test
    void seeingAMacAgainRestartsItsTtl() {
        table.learn(M1, "b", 0);
        table.learn(M1, "b", 10 * SECOND);

        assertEquals("b", table.lookup(M1, TTL + 10 * SECOND));
        assertNull(table.lookup(M1, TTL + 10 * SECOND + 1));
    }

    @Test
    void relearningBehindAnotherPeerMovesTheMacAtOnce() {
        table.learn(M1, "b", 0);
        table.learn(M1, "c", 1);

        assertEquals("c", table.lookup(M1, 2));
        assertEquals(1, table.size());
    }

    @Test
    void forgetRemovesOnlyThatPeersMacs() {
        table.learn(M1, "b", 0);
        table.learn(M2, "b", 0);
        table.learn(M3, "c", 0);

        table.forget("b");

        assertNull(table.lookup(M1, 1));
        assertNull(table.lookup(M2, 1));
        assertEquals("c", table.lookup(M3, 1));
        assertEquals(1, table.size());
    }

    @Test
    void newMacsBeyondCapacityAreNotLearnedButKnownOnesStillMove() {
        MacTable small = new MacTable(TTL, 2);
        small.learn(M1, "b", 0);
        small.learn(M2, "b", 0);
        small.learn(M3, "c", 0);

        assertNull(small.lookup(M3, 1));
        assertEquals(2, small.size());

        small.learn(M1, "c", 2);
        assertEquals("c", small.lookup(M1, 3));

        small.forget("b");
        small.learn(M3, "c", 4);
        assertEquals("c", small.lookup(M3, 5), "room again after forget");
    }

    @Test
    void expiredEntriesDoNotBlockLearningWhenTheTableIsFull() {
        MacTable small = new MacTable(TTL, 2);
        small.learn(M1, "b", 0);
        small.learn(M2, "b", 0);

        long later = TTL + SECOND;
        small.learn(M3, "c", later);

        assertEquals("c", small.lookup(M3, later));
    }
}
