package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void byDefaultAKeepaliveIsDueAtEveryTick() {
        liveness.restart(5);
        assertTrue(liveness.keepaliveDue(5));
        assertTrue(liveness.keepaliveDue(6), "heard or not");
    }

    /** idle-keepalive 20 s, dead-after 60 s: ticks of 6 s; the lower-named end pings once 20 s of silence are measured. */
    @Test
    void withIdleKeepaliveOnlyASilentLinkPingsAndTheHigherNamedEndTwoTicksLater() {
        Duration idle = Duration.ofSeconds(20);
        Liveness lower = new Liveness(Duration.ofSeconds(60), idle, false, now::get);
        Liveness higher = new Liveness(Duration.ofSeconds(60), idle, true, now::get);
        lower.restart(5);
        higher.restart(5);
        List<Boolean> lowerDue = new ArrayList<>();
        List<Boolean> higherDue = new ArrayList<>();
        for (int tick = 1; tick <= 6; tick++) {
            assertFalse(lower.silentTooLong(5));
            assertFalse(higher.silentTooLong(5));
            lowerDue.add(lower.keepaliveDue(5));
            higherDue.add(higher.keepaliveDue(5));
        }
        assertEquals(List.of(false, false, false, true, true, true), lowerDue, "due from 24 s of silence on");
        assertEquals(List.of(false, false, false, false, false, true), higherDue, "two ticks (12 s) later");
        assertFalse(lower.keepaliveDue(6), "something heard since the last tick: not due");
        assertFalse(lower.silentTooLong(6));
        assertFalse(lower.keepaliveDue(6), "silence starts again");
    }

    @Test
    void withIdleKeepaliveThePathIsFailingHalfwayFromItToDeadAfter() {
        Liveness idle = new Liveness(Duration.ofSeconds(60), Duration.ofSeconds(20), false, now::get);
        idle.restart(5);
        for (int tick = 1; tick <= 6; tick++) {
            idle.silentTooLong(5);
            assertFalse(idle.failing(), "36 s or less of silence");
        }
        idle.silentTooLong(5);
        assertTrue(idle.failing(), "42 s >= (60 + 20) / 2");
    }
}
