package io.ipop.secure;

/**
 * The AEAD state of one secure link once its DTLS handshake is done: a {@link Sealer} for what this
 * node sends and an {@link Opener} (with its replay window) for what it receives.
 *
 * <p>Thread-safety: {@link #seal} may be called from any thread (the outbound path and the link's
 * keepalives); it is synchronized, uncontended in practice. {@link #open} must be called from one
 * thread only (the inbound path).
 */
public final class LinkCipher {
    /** {@link #open} result: the datagram is malformed or does not authenticate. */
    public static final int REJECTED = Opener.REJECTED;
    /** {@link #open} result: the datagram authenticated before (a replay), or is older than the window. */
    public static final int REPLAY = Opener.REPLAYED;

    private final Sealer sealer;
    private final Opener opener;
    private final String cipherSuite;

    private LinkCipher(Sealer sealer, Opener opener, String cipherSuite) {
        this.sealer = sealer;
        this.opener = opener;
        this.cipherSuite = cipherSuite;
    }

    /** Keys of a finished handshake; {@code remoteIndex} goes into the header of every sealed frame. */
    public static LinkCipher of(SessionKeys keys, int remoteIndex) {
        return new LinkCipher(SecureChannel.sealer(keys, remoteIndex), SecureChannel.opener(keys), keys.cipherSuite());
    }

    /** A complete SECURE_DATA datagram carrying {@code frame[offset, offset + length)}; length 0 is a keepalive. */
    public synchronized byte[] seal(byte[] frame, int offset, int length) {
        return sealer.seal(frame, offset, length);
    }

    /**
     * Opens a SECURE_DATA datagram into {@code out} (at least {@code length} bytes).
     *
     * @return the frame length, or {@link #REJECTED} / {@link #REPLAY}
     */
    public int open(byte[] datagram, int length, byte[] out) {
        return opener.open(datagram, length, out);
    }

    public String cipherSuite() {
        return cipherSuite;
    }
}
