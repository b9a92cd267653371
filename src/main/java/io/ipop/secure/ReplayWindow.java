package io.ipop.secure;

/**
 * Anti-replay sliding window over 64-bit packet counters (RFC 6479, as in wireguard-go's {@code replay}).
 *
 * <p>Accepts a counter iff it is non-negative, not seen before, and greater than {@code highest - WINDOW}, where
 * {@code highest} is the largest counter accepted so far (initially 0, with nothing seen, so counter 0 is
 * accepted once). Counters start at 0.
 *
 * <pre>
 *   ring: RING_WORDS x 64 bits; bit (c mod RING_BITS) records counter c
 *   |word 0|word 1| ... |word 63|      WINDOW (2048) &lt;= (RING_WORDS - 1) * 64, so the words covering
 *                                      (highest - WINDOW, highest] are never the ones cleared on a jump
 * </pre>
 *
 * <p>Use: {@link #check} before decrypting (cheap reject), {@link #update} only after the packet authenticated,
 * so forged packets cannot move the window. Not thread-safe: owned by the one inbound thread of a link.
 */
public final class ReplayWindow {
    /** How far behind the highest counter a packet may arrive and still be accepted. */
    public static final int WINDOW = 2048;
    private static final int WORD_BITS_LOG = 6;
    private static final int RING_WORDS = 64;
    private static final int RING_MASK = RING_WORDS - 1;

    private final long[] ring = new long[RING_WORDS];
    private long highest;

    /** Whether {@code counter} would be accepted now. No state change. */
    public boolean check(long counter) {
        if (counter < 0) {
            return false;
        }
        if (counter > highest) {
            return true;
        }
        if (highest - counter >= WINDOW) {
            return false;
        }
        return (ring[wordIndex(counter)] & bit(counter)) == 0;
    }

    /**
     * Records {@code counter} as seen, sliding the window forward if it is the new highest. Call only for a
     * counter {@link #check} accepted and whose packet then authenticated; any other counter is ignored.
     */
    public void update(long counter) {
        if (!check(counter)) {
            return;
        }
        if (counter > highest) {
            long current = highest >>> WORD_BITS_LOG;
            long target = counter >>> WORD_BITS_LOG;
            long clear = Math.min(target - current, RING_WORDS);
            for (long i = 1; i <= clear; i++) {
                ring[(int) ((current + i) & RING_MASK)] = 0;
            }
            highest = counter;
        }
        ring[wordIndex(counter)] |= bit(counter);
    }

    /** {@link #check} then {@link #update}: for callers that authenticated the packet already. */
    public boolean checkAndUpdate(long counter) {
        if (!check(counter)) {
            return false;
        }
        update(counter);
        return true;
    }

    /** The largest counter seen so far (0 before any). */
    public long highest() {
        return highest;
    }

    private static int wordIndex(long counter) {
        return (int) ((counter >>> WORD_BITS_LOG) & RING_MASK);
    }

    private static long bit(long counter) {
        return 1L << (counter & 63);
    }
}
