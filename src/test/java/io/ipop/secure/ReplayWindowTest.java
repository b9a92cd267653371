package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private final ReplayWindow w = new ReplayWindow();

    @Test
    void counterZeroIsAcceptedOnce() {
        assertTrue(w.check(0));
        assertTrue(w.checkAndUpdate(0));
        assertFalse(w.check(0));
        assertFalse(w.checkAndUpdate(0));
    }

    @Test
    void inOrderThenDuplicates() {
        for (long c = 0; c < 10_000; c++) {
            assertTrue(w.checkAndUpdate(c), "counter " + c);
        }
        for (long c = 9_000; c < 10_000; c++) {
            assertFalse(w.check(c), "duplicate " + c);
        }
        assertEquals(9_999, w.highest());
    }

    @Test
    void outOfOrderWithinWindow() {
        assertTrue(w.checkAndUpdate(100));
        assertTrue(w.checkAndUpdate(98));
        assertTrue(w.checkAndUpdate(99));
        assertTrue(w.checkAndUpdate(0));
        assertFalse(w.checkAndUpdate(98));
        assertTrue(w.checkAndUpdate(101));
        assertFalse(w.checkAndUpdate(100));
    }

    @Test
    void checkDoesNotChangeState() {
        assertTrue(w.check(5));
        assertTrue(w.check(5));
        assertTrue(w.check(3000));
        assertEquals(0, w.highest());
        w.update(5);
        assertFalse(w.check(5));
    }

    @Test
    void tooOldIsRejectedAtTheWindowEdge() {
        long top = 10_000;
        w.update(top);
        assertTrue(w.check(top - ReplayWindow.WINDOW + 1), "oldest counter still inside the window");
        assertFalse(w.check(top - ReplayWindow.WINDOW), "just outside the window");
        assertFalse(w.check(0));
    }

    @Test
    void negativeCountersAreRejected() {
        assertFalse(w.check(-1));
        assertFalse(w.checkAndUpdate(Long.MIN_VALUE));
        w.update(-5);
        assertEquals(0, w.highest());
    }

    @Test
    void bigJumpClearsStaleBits() {
        for (long c = 0; c < 4096; c++) {
            w.update(c); // every bit of the 4096-bit ring set
        }
        long jump = 4096 + 64 * 64 * 10 + 17;
        assertTrue(w.checkAndUpdate(jump));
        for (long c = jump - ReplayWindow.WINDOW + 1; c < jump; c++) {
            assertTrue(w.check(c), "fresh counter " + c + " after a jump");
        }
    }

    @Test
    void jumpsKeepTheBitsStillInsideTheWindow() {
        w.update(63);
        w.update(64 * 20); // 20 words ahead: 63 is still inside the window and stays marked
        assertFalse(w.check(63));
        assertTrue(w.check(62));
        w.update(64 * 40); // now 63 has fallen out of the window
        assertFalse(w.check(63), "too old");
        assertTrue(w.check(64 * 40 - 1));
        assertTrue(w.check(64 * 40 + 64 * 64), "far ahead is new");
    }

    @Test
    void wrapsAroundTheRingManyTimes() {
        // Advance in strides that leave gaps, so words are reused at different ring positions.
        for (long c = 0; c < 1_000_000; c += 7) {
            assertTrue(w.checkAndUpdate(c), "counter " + c);
            assertFalse(w.check(c));
            if (c >= 7) {
                assertFalse(w.check(c - 7));
                assertTrue(w.check(c - 1), "gap " + (c - 1) + " is still acceptable");
            }
        }
    }

    @Test
    void agreesWithASetModelOnRandomTraffic() {
        Random random = new Random(42);
        Set<Long> seen = new HashSet<>();
        long highest = 0;
        long next = 0;
        for (int i = 0; i < 200_000; i++) {
            long c = switch (random.nextInt(4)) {
                case 0 -> next += 1 + random.nextInt(3);
                case 1 -> next += random.nextInt(5000);
                default -> Math.max(0, next - random.nextInt(2 * ReplayWindow.WINDOW + 2));
            };
            boolean expected = !seen.contains(c) && (c > highest || highest - c < ReplayWindow.WINDOW);
            assertEquals(expected, w.checkAndUpdate(c), "counter " + c + " with highest " + highest);
            if (expected) {
                seen.add(c);
                highest = Math.max(highest, c);
            }
        }
    }
}
