package io.ipop.peer;

import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.PeerIdentity;
import io.ipop.underlay.Endpoint;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * The DTLS handshake of one secure link (docs/protocol.md): which side is client (the node with the lower
 * name), the records that arrive before this side agreed to a secure link (the peer may start just
 * before; up to {@value #EARLY_RECORDS_KEPT} are kept to seed the handshake), and where later records go.
 * At most one handshake is current; starting another or {@link #reset} cancels it, which frees its thread
 * at once. The handshake itself runs on the context's DTLS executor and sends through its control channel.
 *
 * <p>Not thread-safe: one session's state, used on its actor's thread.
 */
final class LinkHandshake {
    static final int EARLY_RECORDS_KEPT = 8;
    /** Largest DTLS datagram either way (UDP payload minus our frame header). */
    static final int MAX_RECORD = 1400;

    private final List<byte[]> early = new ArrayList<>();
    private DtlsHandshake current;

    /** The node with the lower name is the DTLS client. */
    static DtlsHandshake.Role role(String self, String peer) {
        return self.compareTo(peer) < 0 ? DtlsHandshake.Role.CLIENT : DtlsHandshake.Role.SERVER;
    }

    /** A DTLS record before this side agreed to a secure link: kept, if there is room, to seed the handshake. */
    void keepEarly(byte[] record) {
        if (early.size() < EARLY_RECORDS_KEPT) {
            early.add(record);
        }
    }

    /**
     * Cancels the current handshake, if any, and starts this node's as {@code role} with the peer whose
     * verified certificate is {@code expected}, sending to receiver index {@code remoteIndex} at {@code to};
     * the early records seed it and are forgotten.
     *
     * @throws CertificateEncodingException if {@code expected} cannot be encoded (nothing was started)
     */
    DtlsHandshake start(LinkContext ctx, DtlsHandshake.Role role, PeerIdentity expected, int remoteIndex, Endpoint to)
            throws CertificateEncodingException {
        if (current != null) {
            current.cancel();
        }
        byte[] der = expected.certificate().getEncoded();
        DtlsHandshake hs = DtlsHandshake.start(role, ctx.identity().orElseThrow(), der,
                record -> ctx.channel().sendDtls(record, remoteIndex, to), ctx.dtlsExecutor(),
                ctx.security().handshakeTimeout(), MAX_RECORD);
        current = hs;
        early.forEach(hs::receive);
        early.clear();
        return hs;
    }

    /** True if {@code hs} is the current handshake (not one cancelled or replaced since). */
    boolean isCurrent(DtlsHandshake hs) {
        return hs == current;
    }

    /** A record for the running handshake. False if it did not take it (over, full, or none running). */
    boolean receive(byte[] record) {
        return current != null && current.receive(record);
    }

    /**
     * A record on an up link. A resent final flight goes to the finished handshake, which keeps answering
     * them (as server) until its deadline. A ClientHello is not taken: it is unauthenticated and anyone who
     * saw a frame knows the index, so it must not reset an up link (a client that really lost the link
     * says so with a {@code con_req} without decision, which sets the link up again). False if not taken.
     */
    boolean receiveWhileUp(byte[] record) {
        return current != null && !DtlsHandshake.isClientHello(record) && current.receive(record);
    }

    /** Cancels the current handshake, if any (the session stops). */
    void cancel() {
        if (current != null) {
            current.cancel();
        }
    }

    /** The link is abandoned: cancels and forgets the handshake, and the early records of that attempt. */
    void reset() {
        cancel();
        current = null;
        early.clear();
    }

    /** Why a handshake failed, in operator words: the message of the root cause. */
    static String failure(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
