package io.ipop.peer;

import java.time.Duration;

/**
 * At most one log line per interval for one kind of event, so that an attacker who can trigger the event
 * at will (a refused hello costs a forged datagram) cannot flood the log. The events in between are
 * counted elsewhere; the next line says how many it stands for. Not thread-safe: one per actor.
 */
final class LogThrottle {
    /** Returned by {@link #admit} when the line is to be left out. */
    static final long SUPPRESS = -1;

    private final long intervalNanos;
    private boolean logged;
    private long lastNanos;
    private long suppressed;

    LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /**
     * An event at {@code nowNanos}: {@link #SUPPRESS} if the last line was less than an interval ago,
     * otherwise the number of events left out since that line (log this one, and say so).
     */
    long admit(long nowNanos) {
        if (logged && nowNanos - lastNanos < intervalNanos) {
            suppressed++;
            return SUPPRESS;
        }
        logged = true;
        lastNanos = nowNanos;
        long left = suppressed;
        suppressed = 0;
        return left;
    }
}
