package io.ipop.secure;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The AEAD state of one secure link once its DTLS handshake is done, across rekeys: the keys of the
 * current epoch (a {@link Sealer} for what this node sends, an {@link Opener} with its replay window for
 * what it receives), and around a rekey the keys of the next epoch and of the previous one.
 *
 * <p>Rekey (docs/security.md, "Rekeying"; the epoch is byte 2 of every sealed frame, inside the AAD):
 * <ol>
 *   <li>a new DTLS handshake on the live link ends on both sides with {@link #prepare}: the new keys
 *       become the <em>next</em> epoch; both sides still send under the current one;</li>
 *   <li>the DTLS client, which finishes last and so knows the server holds the keys too, sends a sealed
 *       keepalive under the next keys ({@link #sealProbe}) until it hears the server use them;</li>
 *   <li>a side that opens a frame under the next keys has proof that its peer holds them:
 *       it switches ({@code promote}): the next epoch becomes current (also for sending), and the
 *       current one becomes <em>previous</em>, still opened for frames in flight;</li>
 *   <li>the previous keys are erased once {@code overlap} passes without a frame under them (or at the
 *       next switch).</li>
 * </ol>
 * So no side ever sends under keys its peer cannot open, and frames sealed just before a switch still
 * open just after it: a rekey loses no traffic.
 *
 * <p>Thread-safety: {@link #open} is called by one thread only (the inbound path); everything else
 * from any thread. Changes of the key set (and sealing, whose counter must not repeat) hold this
 * object's lock; {@link #open} reads the epochs without it and takes it only to switch.
 */
public final class LinkCipher {
    /**
     * {@link #open} result: the datagram is malformed, does not authenticate, or names keys not held (an
     * epoch unknown, or erased): all counted {@code auth_failed} by the inbound path.
     */
    public static final int REJECTED = Opener.REJECTED;
    /** {@link #open} result: the datagram authenticated before (a replay), or is older than the window. */
    public static final int REPLAY = Opener.REPLAYED;
    /** Frames one direction may carry under one key before the link rekeys, whatever rekey-after says. */
    public static final long REKEY_RECORDS = 1L << 32;
    /** How long previous keys stay after the last frame they opened. */
    public static final Duration OVERLAP = Duration.ofSeconds(5);

    private static final int EPOCH_AT = 2;

    /** The keys of one epoch; {@code number} is what byte 2 of its frames says. */
    private record Epoch(int number, Sealer sealer, Opener opener) {
    }

    private final int remoteIndex;
    private final String cipherSuite;
    private final LongSupplier nanoClock;
    private final long overlapNanos;
    private volatile Epoch current;
    private volatile Epoch next;
    private volatile Epoch previous;
    private volatile long previousUsedAt;
    private volatile long keysSince;
    private volatile int rekeys;

    private LinkCipher(SessionKeys keys, int remoteIndex, LongSupplier nanoClock, Duration overlap) {
        this.remoteIndex = remoteIndex;
        this.cipherSuite = keys.cipherSuite();
        this.nanoClock = nanoClock;
        this.overlapNanos = overlap.toNanos();
        this.current = epoch(0, keys);
        this.keysSince = nanoClock.getAsLong();
    }

    /**
     * Keys of a finished handshake (epoch 0); {@code remoteIndex} goes into the header of every sealed frame.
     * {@code keys} are copied, not erased (the caller erases them when it is their last user).
     */
    public static LinkCipher of(SessionKeys keys, int remoteIndex) {
        return new LinkCipher(keys, remoteIndex, System::nanoTime, OVERLAP);
    }

    /** As {@link #of(SessionKeys, int)} with a clock and an overlap of choice (tests). */
    static LinkCipher of(SessionKeys keys, int remoteIndex, LongSupplier nanoClock, Duration overlap) {
        return new LinkCipher(keys, remoteIndex, nanoClock, overlap);
    }

    /** A complete SECURE_DATA datagram carrying {@code frame[offset, offset + length)}; length 0 is a keepalive. */
    public synchronized byte[] seal(byte[] frame, int offset, int length) {
        return current.sealer().seal(frame, offset, length);
    }

    /**
     * Opens a SECURE_DATA datagram into {@code out} (at least {@code length} bytes), with the keys of the
     * epoch it names; the first frame that opens under the next keys switches to them.
     *
     * @return the frame length, or {@link #REJECTED} / {@link #REPLAY}
     */
    public int open(byte[] datagram, int length, byte[] out) {
        if (length < SecureChannel.OVERHEAD) {
            return REJECTED;
        }
        int number = datagram[EPOCH_AT] & 0xFF;
        Epoch now = current;
        if (number == now.number()) {
            return now.opener().open(datagram, length, out);
        }
        Epoch coming = next;
        if (coming != null && number == coming.number()) {
            int n = coming.opener().open(datagram, length, out);
            if (n >= 0) {
                promote(coming);
            }
            return n;
        }
        Epoch old = previous;
        if (old != null && number == old.number()) {
            if (nanoClock.getAsLong() - previousUsedAt > overlapNanos) {
                eraseOld();
                return REJECTED;
            }
            int n = old.opener().open(datagram, length, out);
            if (n >= 0) {
                previousUsedAt = nanoClock.getAsLong();
            }
            return n;
        }
        return REJECTED;
    }

    /** A rekey handshake finished: its keys become the next epoch (replacing one not switched to yet). Erases {@code keys}. */
    public synchronized void prepare(SessionKeys keys) {
        next = epoch((current.number() + 1) & 0xFF, keys);
        keys.erase();
    }

    /** True while prepared keys wait for the peer to use them. */
    public boolean switching() {
        return next != null;
    }

    /** A sealed keepalive under the next keys, which tells the peer this side holds them; null if none are prepared. */
    public synchronized byte[] sealProbe() {
        Epoch coming = next;
        return coming == null ? null : coming.sealer().seal(new byte[0], 0, 0);
    }

    /** Erases the previous keys if {@code overlap} passed since they last opened a frame. */
    public void expireOld() {
        if (previous != null && nanoClock.getAsLong() - previousUsedAt > overlapNanos) {
            eraseOld();
        }
    }

    /** True while the previous epoch's keys are still held. */
    public boolean holdsPreviousKeys() {
        return previous != null;
    }

    /** True if the current keys are older than {@code after} or either direction carried {@link #REKEY_RECORDS} under them. */
    public synchronized boolean due(Duration after) {
        Epoch now = current;
        return keyAge().compareTo(after) >= 0 || now.sealer().sealed() >= REKEY_RECORDS
                || now.opener().highest() >= REKEY_RECORDS;
    }

    /** How long the current keys have been in use. */
    public Duration keyAge() {
        return Duration.ofNanos(nanoClock.getAsLong() - keysSince);
    }

    /** Switches to new keys so far (0 before the first rekey). */
    public int rekeys() {
        return rekeys;
    }

    /** The epoch frames are sealed under now (0 .. 255, then 0 again). */
    public int epoch() {
        return current.number();
    }

    public String cipherSuite() {
        return cipherSuite;
    }

    private synchronized void promote(Epoch coming) {
        if (next != coming) {
            return;
        }
        previous = current;
        previousUsedAt = nanoClock.getAsLong();
        current = coming;
        next = null;
        keysSince = nanoClock.getAsLong();
        rekeys++;
    }

    private synchronized void eraseOld() {
        previous = null;                                // the JDK key objects go with it; no copy is left here
    }

    private Epoch epoch(int number, SessionKeys keys) {
        return new Epoch(number, SecureChannel.sealer(keys, remoteIndex, number), SecureChannel.opener(keys));
    }
}
