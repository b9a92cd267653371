package io.ipop.peer;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import java.time.Duration;

/**
 * {@code ipop.link}: keepalive, dead-peer detection and reconnect backoff of every peer link, and how many DTLS
 * handshakes may run at once ({@code max-handshakes}: each holds a thread, docs/architecture.md, "Why the DTLS
 * handshake is not sans-IO").
 *
 * @param idleKeepalive zero: a ping every {@code keepaliveInterval} on every up link (the default); else a ping only
 *                      once the link has heard nothing for this long ({@link Liveness}, docs/protocol.md "Keepalive")
 */
public record LinkSettings(Duration keepaliveInterval, Duration deadAfter, Duration retryMin, Duration retryMax,
                           int maxHandshakes, Duration idleKeepalive) {
    /** reference.conf's {@code max-handshakes}. */
    public static final int DEFAULT_MAX_HANDSHAKES = 32;
    /** Longest {@code idle-keepalive}: NATs forget a quiet UDP mapping after 30 s to a few minutes. */
    public static final Duration MAX_IDLE_KEEPALIVE = Duration.ofMinutes(10);

    /** With the default {@code max-handshakes} (tests). */
    public LinkSettings(Duration keepaliveInterval, Duration deadAfter, Duration retryMin, Duration retryMax) {
        this(keepaliveInterval, deadAfter, retryMin, retryMax, DEFAULT_MAX_HANDSHAKES);
    }

    /** With a ping every {@code keepaliveInterval} ({@code idle-keepalive = 0s}, reference.conf's). */
    public LinkSettings(Duration keepaliveInterval, Duration deadAfter, Duration retryMin, Duration retryMax,
                        int maxHandshakes) {
        this(keepaliveInterval, deadAfter, retryMin, retryMax, maxHandshakes, Duration.ZERO);
    }

    public static LinkSettings read(ConfigReader c) {
        Duration keepalive = c.positiveDuration("keepalive-interval");
        Duration dead = c.positiveDuration("dead-after");
        if (dead.compareTo(keepalive.multipliedBy(2)) < 0) {
            throw new ConfigProblem(c.path("dead-after"), dead + " must be at least twice keepalive-interval (" + keepalive + ")");
        }
        Duration min = c.positiveDuration("retry-min");
        Duration max = c.positiveDuration("retry-max");
        if (max.compareTo(min) < 0) {
            throw new ConfigProblem(c.path("retry-max"), max + " is shorter than retry-min (" + min + ")");
        }
        Duration idle = c.durationIn("idle-keepalive", Duration.ZERO, MAX_IDLE_KEEPALIVE);
        if (!idle.isZero() && dead.compareTo(idle.multipliedBy(2)) < 0) {
            throw new ConfigProblem(c.path("dead-after"), dead + " must be at least twice idle-keepalive (" + idle
                    + "): a quiet link pings only after idle-keepalive of silence");
        }
        return new LinkSettings(keepalive, dead, min, max, c.intIn("max-handshakes", 1, 1024), idle);
    }

    /** True if an up link pings only after {@link #idleKeepalive} of silence. */
    public boolean pingsWhenIdle() {
        return !idleKeepalive.isZero();
    }

    /** Delay before connection attempt {@code attempt} (0-based): retry-min doubled each time, capped at retry-max. */
    public Duration backoff(int attempt) {
        Duration d = retryMin;
        for (int i = 0; i < attempt && d.compareTo(retryMax) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(retryMax) > 0 ? retryMax : d;
    }
}
