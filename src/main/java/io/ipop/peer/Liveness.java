package io.ipop.peer;

import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The liveness rules of one link (docs/protocol.md): keepalive pings numbered in order and stamped with
 * this node's clock, round trips measured from their pongs, and the silence after which the peer is lost.
 *
 * <p>What counts as hearing the peer is the link's activity counter (bumped by the data path for
 * anything authenticated). A liveness {@link #tick()} every tenth of {@code dead-after} compares it
 * with the last tick's value and accumulates silence; the link is lost after 0.9 to 1.0 times
 * {@code dead-after} of silence, never later.
 *
 * <p>Sans-IO: the clock ({@link System#nanoTime()} in a session) is injected. Not thread-safe: one
 * session's state.
 */
final class Liveness {
    /** A pong whose round trip is longer than this (or negative) has a stale or forged timestamp. */
    static final Duration MAX_PLAUSIBLE_RTT = Duration.ofSeconds(60);

    private final Duration deadAfter;
    private final Duration tick;
    private final LongSupplier nanoClock;
    private long pingSeq;
    private long lastActivity;
    private Duration silence = Duration.ZERO;

    Liveness(Duration deadAfter, LongSupplier nanoClock) {
        this.deadAfter = deadAfter;
        this.tick = deadAfter.dividedBy(10);
        this.nanoClock = nanoClock;
    }

    /** How often {@link #silentTooLong} is to be asked: a tenth of {@code dead-after}. */
    Duration tick() {
        return tick;
    }

    /** The link came up with the activity counter at {@code activity}: no silence so far. */
    void restart(long activity) {
        lastActivity = activity;
        silence = Duration.ZERO;
    }

    /** The next keepalive from node {@code self}: the next sequence number (one per session, from 1), stamped now. */
    Ping nextPing(String self) {
        return new Ping(self, ++pingSeq, nanoClock.getAsLong());
    }

    /** The sequence number of the last ping sent (0 before the first). */
    long pingsSent() {
        return pingSeq;
    }

    /** The round trip of {@code pong} in nanoseconds; empty if it answers no ping sent yet or its time is implausible. */
    OptionalLong roundTrip(Pong pong) {
        long rtt = nanoClock.getAsLong() - pong.ts();
        if (pong.seq() <= pingSeq && rtt >= 0 && rtt < MAX_PLAUSIBLE_RTT.toNanos()) {
            return OptionalLong.of(rtt);
        }
        return OptionalLong.empty();
    }

    /**
     * True once the link has been silent for half of {@code dead-after}: its path is failing, and another path
     * the peer answers on may take over before the link is declared lost.
     */
    boolean failing() {
        return silence.compareTo(deadAfter.dividedBy(2)) >= 0;
    }

    /**
     * A liveness tick that sees the activity counter at {@code activity}: true if the peer is to be
     * declared lost now.
     */
    boolean silentTooLong(long activity) {
        if (activity != lastActivity) {
            restart(activity);
            return false;
        }
        silence = silence.plus(tick);
        // Silence is counted from the tick that last saw activity, so the true silence is up to one tick
        // longer: declare the peer dead once that upper bound reaches dead-after, never later.
        return silence.plus(tick).compareTo(deadAfter) >= 0;
    }
}
