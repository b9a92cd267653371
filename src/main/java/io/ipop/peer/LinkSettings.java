package io.ipop.peer;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import java.time.Duration;

/**
 * {@code ipop.link}: keepalive, dead-peer detection and reconnect backoff of every peer link, and how many DTLS
 * handshakes may run at once ({@code max-handshakes}: each holds a thread, docs/architecture.md, "Why the DTLS
 * handshake is not sans-IO").
 */
public record LinkSettings(Duration keepaliveInterval, Duration deadAfter, Duration retryMin, Duration retryMax,
                           int maxHandshakes) {
    /** reference.conf's {@code max-handshakes}. */
    public static final int DEFAULT_MAX_HANDSHAKES = 32;

    /** With the default {@code max-handshakes} (tests). */
    public LinkSettings(Duration keepaliveInterval, Duration deadAfter, Duration retryMin, Duration retryMax) {
        this(keepaliveInterval, deadAfter, retryMin, retryMax, DEFAULT_MAX_HANDSHAKES);
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
        return new LinkSettings(keepalive, dead, min, max, c.intIn("max-handshakes", 1, 1024));
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
