package io.ipop.sim;

import java.util.PriorityQueue;

/**
 * Virtual time for the simulation: a priority queue of events by (time, order of scheduling). Nothing
 * sleeps; {@link #runUntil} jumps from one event to the next. Time is in nanoseconds from the start, the
 * unit the link machine takes. Not thread-safe: the simulation is one thread.
 */
final class Scheduler {
    static final long SECOND = 1_000_000_000L;
    static final long MILLI = 1_000_000L;

    /** Something to happen at {@link #at}; subclasses carry their own data (no lambdas: 10^6 of them are queued). */
    abstract static class Event implements Comparable<Event> {
        long at;
        private long seq;

        abstract void run();

        @Override
        public final int compareTo(Event o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>(1 << 16);
    private long now;
    private long order;
    private long ran;

    long now() {
        return now;
    }

    /** Events run so far. */
    long ran() {
        return ran;
    }

    int pending() {
        return queue.size();
    }

    /** Runs {@code e} at {@code atNanos} (not before now). */
    void at(long atNanos, Event e) {
        e.at = Math.max(atNanos, now);
        e.seq = order++;
        queue.add(e);
    }

    void after(long delayNanos, Event e) {
        at(now + delayNanos, e);
    }

    /** Runs every event due up to {@code endNanos}, in order; the clock then stands at {@code endNanos}. */
    void runUntil(long endNanos) {
        while (!queue.isEmpty() && queue.peek().at <= endNanos) {
            Event e = queue.poll();
            now = e.at;
            ran++;
            e.run();
        }
        now = Math.max(now, endNanos);
    }
}
