package io.ipop.dataplane;

/**
 * A short time after one path wrote a lone packet, during which the other path's reader expects the
 * answer and polls for it without parking ({@code dataplane.reply-spin}): a ping's request is written
 * to the TAP, and its reply comes back from the TAP tens of microseconds later; a request sent over
 * UDP has its answer on the socket a round trip later.
 *
 * <p>Why: a reader parked in poll(2) or epoll_wait(2) pays the kernel's wake-up and, on an idle
 * machine, a CPU that has gone idle: on this project's 2-core VM that cost grows with the idle time
 * and is most of the RTT a lone packet adds (docs/performance.md, "The lone packet's RTT").
 *
 * <p>Bounded: only a lone packet's direct write opens the window, for at most the configured time,
 * and a reader spins only while it is open and nothing has arrived; an idle node never spins.
 * Thread-safe: opened by one graph's reading thread, read by the other's.
 */
final class ReplyWindow {
    private final long nanos;
    private volatile long openUntil;

    /** {@code micros}: how long a window stays open; 0: never open (the readers always park). */
    ReplyWindow(int micros) {
        this.nanos = micros * 1_000L;
        this.openUntil = System.nanoTime();
    }

    /** A lone packet went out: its answer is expected within the window. */
    void open() {
        if (nanos > 0) {
            openUntil = System.nanoTime() + nanos;
        }
    }

    /** Whether a reader with nothing to read should poll again instead of parking. */
    boolean isOpen() {
        return nanos > 0 && System.nanoTime() - openUntil < 0;
    }
}
