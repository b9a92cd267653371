package io.ipop.peer;

import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.LinkCipher;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The DTLS handshake of one secure link (docs/protocol.md): which side is client (the node with the lower
 * name), the records that arrive before this side agreed to a secure link (the peer may start just
 * before; up to {@value #EARLY_RECORDS_KEPT} are kept to seed the handshake), and where later records go.
 * At most one handshake is current; starting another or {@link #reset} cancels it, which frees its thread
 * at once.
 *
 * <p>Sans-IO: it starts, feeds and cancels nothing itself but says so in {@link LinkEffect}s; the
 * driver runs the handshake ({@link Run#launch}) off its thread and answers {@link LinkEvent.HandshakeDone}.
 * Not thread-safe: one link machine's state.
 */
final class LinkHandshake {
    static final int EARLY_RECORDS_KEPT = 8;
    /** Largest DTLS datagram either way (UDP payload minus our frame header). */
    static final int MAX_RECORD = 1400;

    private final List<byte[]> early = new ArrayList<>();
    private final Consumer<LinkEffect> out;
    private Run current;

    /** @param out where the effects go (the machine's list) */
    LinkHandshake(Consumer<LinkEffect> out) {
        this.out = out;
    }

    /**
     * One handshake as the machine asked for it: as {@code role}, expecting the peer's certificate
     * {@code peerCertificate} (DER), sending to receiver index {@code remoteIndex} at {@code to}, seeded with
     * {@code early} records; a rekey's keys are {@link LinkCipher#prepare prepared} into {@code prepareInto}
     * on the handshake's thread as soon as it is done. Compared by identity.
     */
    static final class Run {
        private final DtlsHandshake.Role role;
        private final byte[] peerCertificate;
        private final int remoteIndex;
        private final Endpoint to;
        private final List<byte[]> early;
        private final LinkCipher prepareInto;

        Run(DtlsHandshake.Role role, byte[] peerCertificate, int remoteIndex, Endpoint to, List<byte[]> early,
            LinkCipher prepareInto) {
            this.role = role;
            this.peerCertificate = peerCertificate;
            this.remoteIndex = remoteIndex;
            this.to = to;
            this.early = List.copyOf(early);
            this.prepareInto = prepareInto;
        }

        DtlsHandshake.Role role() {
            return role;
        }

        int remoteIndex() {
            return remoteIndex;
        }

        Endpoint to() {
            return to;
        }

        /** The records that came before the start, in order. */
        List<byte[]> early() {
            return early;
        }

        LinkCipher prepareInto() {
            return prepareInto;
        }

        /**
         * Starts the handshake on {@code ctx}'s DTLS executor, sending through its channel, seeded with the
         * early records (the driver's half of {@link LinkEffect.StartHandshake}). Never blocks.
         */
        DtlsHandshake launch(LinkContext ctx) {
            DtlsHandshake hs = DtlsHandshake.start(role, ctx.identity().orElseThrow(), peerCertificate,
                    record -> ctx.channel().sendDtls(record, remoteIndex, to), ctx.dtlsExecutor(),
                    ctx.security().handshakeTimeout(), MAX_RECORD);
            early.forEach(hs::receive);
            return hs;
        }

        /** {@link #launch}'s result, with a rekey's keys prepared on the handshake's thread first. */
        CompletionStage<SessionKeys> result(DtlsHandshake hs) {
            return prepareInto == null ? hs.result() : hs.result().thenApply(keys -> {
                prepareInto.prepare(keys);              // on the handshake thread, as soon as it is done
                return keys;
            });
        }
    }

    /** The node with the lower name is the DTLS client ({@code self}: this node's name). */
    static DtlsHandshake.Role role(String self, PeerId peer) {
        return self.compareTo(peer.name()) < 0 ? DtlsHandshake.Role.CLIENT : DtlsHandshake.Role.SERVER;
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
     * the early records seed it and are forgotten. {@code prepareInto}: a rekey's cipher, else null.
     *
     * @throws CertificateEncodingException if {@code expected} cannot be encoded (nothing was started)
     */
    Run start(DtlsHandshake.Role role, PeerIdentity expected, int remoteIndex, Endpoint to, LinkCipher prepareInto)
            throws CertificateEncodingException {
        cancel();
        byte[] der = expected.certificate().getEncoded();
        Run run = new Run(role, der, remoteIndex, to, early, prepareInto);
        current = run;
        early.clear();
        out.accept(new LinkEffect.StartHandshake(run));
        return run;
    }

    /** True if {@code run} is the current handshake (not one cancelled or replaced since). */
    boolean isCurrent(Run run) {
        return run == current;
    }

    /** A record for the running handshake. False if there is none (the driver counts one a running handshake refuses). */
    boolean receive(byte[] record) {
        if (current == null) {
            return false;
        }
        out.accept(new LinkEffect.FeedHandshake(current, record));
        return true;
    }

    /**
     * A record on an up link. A resent final flight goes to the finished handshake, which keeps answering
     * them (as server) until its deadline. A ClientHello is not taken: it is unauthenticated and anyone who
     * saw a frame knows the index, so it must not reset an up link (a client that really lost the link
     * says so with a {@code con_req} without decision, which sets the link up again). False if not taken.
     */
    boolean receiveWhileUp(byte[] record) {
        return !DtlsHandshake.isClientHello(record) && receive(record);
    }

    /** Cancels the current handshake, if any (the session stops). */
    void cancel() {
        if (current != null) {
            out.accept(new LinkEffect.CancelHandshake(current));
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
