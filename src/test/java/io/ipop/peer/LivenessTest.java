package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The liveness rules of a link, on a clock moved by hand. */
class LivenessTest {
    private static final Duration DEAD_AFTER = Duration.ofSeconds(2);
    private static final long MS = 1_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final Liveness liveness = new Liveness(DEAD_AFTER, now::get);

    @Test
    void ticksEveryTenthOfDeadAfter() {
        assertEquals(Duration.ofMillis(200), liveness.tick());
    }

    @Test
    void pingsAreNumberedFromOneAndStampedWithTheClock() {
        assertEquals(0, liveness.pingsSent());
        Ping first = liveness.nextPing("a");
        now.addAndGet(250 * MS);
        Ping second = liveness.nextPing("a");
        assertEquals(new Ping("a", 1, 1_000 * MS), first);
        assertEquals(new Ping("a", 2, 1_250 * MS), second);
        assertEquals(2, liveness.pingsSent());
    }

    @Test
    void aPongGivesTheRoundTripOfItsPing() {
        Ping ping = liveness.nextPing("a");
        now.addAndGet(7 * MS);
        assertEquals(OptionalLong.of(7 * MS), liveness.roundTrip(new Pong("b", ping.seq(), ping.ts())));
    }

    @Test
    void aPongForAPingNotSentYetIsNotBelieved() {
        Ping ping = liveness.nextPing("a");
        now.addAndGet(7 * MS);
        assertEquals(OptionalLong.empty(), liveness.roundTrip(new Pong("b", ping.seq() + 1, ping.ts())));
    }

    @Test
    void aPongWithAnImplausibleTimeIsNotBelieved() {
        Ping ping = liveness.nextPing("a");
        assertEquals(OptionalLong.empty(), liveness.roundTrip(new Pong("b", 1, ping.ts() + MS)), "from the future");
        long bound = Liveness.MAX_PLAUSIBLE_RTT.toNanos();
        now.addAndGet(bound);
        assertEquals(OptionalLong.empty(), liveness.roundTrip(new Pong("b", 1, ping.ts())), "a minute or more");
        assertEquals(OptionalLong.of(bound - 1), liveness.roundTrip(new Pong("b", 1, ping.ts() + 1)));
    }

    @Test
    void silenceOfNineTenthsOfDeadAfterLosesThePeer() {
        liveness.restart(5);
        for (int tick = 1; tick <= 8; tick++) {
            assertFalse(liveness.silentTooLong(5), "tick " + tick);
        }
        // 9 ticks of silence (1.8 s) may be up to 2 s of true silence: lost now, never later
        assertTrue(liveness.silentTooLong(5));
    }

    @Test
    void anythingHeardStartsTheSilenceAgain() {
        liveness.restart(5);
        for (int tick = 1; tick <= 8; tick++) {
            assertFalse(liveness.silentTooLong(5));
        }
        assertFalse(liveness.silentTooLong(6), "the peer was heard");
        for (int tick = 1; tick <= 8; tick++) {
            assertFalse(liveness.silentTooLong(6), "tick " + tick + " after hearing the peer");
        }
        assertTrue(liveness.silentTooLong(6));
    }

    @Test
    void aRestartForgetsTheSilenceSoFar() {
        liveness.restart(5);
        for (int tick = 1; tick <= 8; tick++) {
            liveness.silentTooLong(5);
        }
        liveness.restart(5);
        assertFalse(liveness.silentTooLong(5), "the link came up again");
    }
}
