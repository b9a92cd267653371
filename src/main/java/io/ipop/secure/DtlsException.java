package io.ipop.secure;

/**
 * Why a DTLS handshake did not produce {@link SessionKeys}. The {@link Reason} is for counting and
 * for choosing a reaction (retry with backoff, or report a bad peer); the message is for an operator.
 */
public final class DtlsException extends Exception {

    public enum Reason {
        /** The handshake did not finish within its deadline (peer silent, or too much loss). */
        TIMEOUT,
        /** {@link DtlsHandshake#cancel()} was called. */
        CANCELLED,
        /** We rejected the peer's certificate (wrong CA, expired, or not the one in its hello). */
        BAD_PEER_CERTIFICATE,
        /** The peer aborted the handshake with a fatal alert (typically: it rejected our certificate). */
        PEER_ALERT,
        /** Anything else: malformed messages, no common cipher suite, a local crypto failure. */
        PROTOCOL
    }

    private final Reason reason;

    public DtlsException(Reason reason, String message) {
        this(reason, message, null);
    }

    public DtlsException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
