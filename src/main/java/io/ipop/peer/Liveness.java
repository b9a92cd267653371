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
 * <p>Keepalives ({@link #keepaliveDue}): by default a ping every {@code keepalive-interval}. With
 * {@code idle-keepalive} set, only a link that has heard nothing for that long pings (a structured overlay's
 * links, most of them quiet, docs/protocol.md "Keepalive"): any frame or control message heard resets it, and
 * a ping heard is answered with a pong, so a quiet link carries one ping and one pong per {@code idle-keepalive}
 * rounded up to liveness ticks, plus one tick. Of the two ends the one with the higher name waits two liveness ticks longer, so the lower
 * one pings and the other hears it before its own turn: one ping per round, not two.
 *
 * <p>Sans-IO: the clock ({@link System#nanoTime()} in a session) is injected. Not thread-safe: one
 * session's state.
 */
final class Liveness {
    /** A pong whose round trip is longer than this (or negative) has a stale or forged timestamp. */
    static final Duration MAX_PLAUSIBLE_RTT = Duration.ofSeconds(60);

    private final Duration deadAfter;
    private final Duration tick;
    /** Zero: a ping at every keepalive tick; else the silence after which this end pings. */
    private final Duration pingAfter;
    /** The silence after which the path counts as failing: halfway from a due keepalive to death. */
    private final Duration failingAfter;
    private final LongSupplier nanoClock;
    private long pingSeq;
    private long lastActivity;
    private Duration silence = Duration.ZERO;

    Liveness(Duration deadAfter, LongSupplier nanoClock) {
        this(deadAfter, Duration.ZERO, false, nanoClock);
    }

    /**
     * @param idleKeepalive {@code idle-keepalive} (zero: ping at every keepalive tick)
     * @param waitsLonger   this end has the higher name: it pings two ticks later than the other
     */
    Liveness(Duration deadAfter, Duration idleKeepalive, boolean waitsLonger, LongSupplier nanoClock) {
        this.deadAfter = deadAfter;
        this.tick = deadAfter.dividedBy(10);
        this.pingAfter = idleKeepalive.isZero() || !waitsLonger ? idleKeepalive : idleKeepalive.plus(tick.multipliedBy(2));
        this.failingAfter = deadAfter.plus(idleKeepalive).dividedBy(2);
        this.nanoClock = nanoClock;
    }

    /**
     * True if a keepalive is to go out now, the activity counter at {@code activity}: always by default (at every
     * keepalive tick); with {@code idle-keepalive} (asked at a liveness tick), once this end's silence has reached it.
     */
    boolean keepaliveDue(long activity) {
        return pingAfter.isZero() || activity == lastActivity && silence.compareTo(pingAfter) >= 0;
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
     * True once the link has been silent for half of {@code dead-after} (with {@code idle-keepalive}: halfway from
     * it to {@code dead-after}): its path is failing, and another path the peer answers on may take over before
     * the link is declared lost.
     */
    boolean failing() {
        return silence.compareTo(failingAfter) >= 0;
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
