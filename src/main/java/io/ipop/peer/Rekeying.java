package io.ipop.peer;

import io.ipop.counters.SetupDrop;
import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.LinkCipher;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.security.cert.CertificateEncodingException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Rekeying of one up secure link (docs/security.md, "Rekeying"): a new DTLS handshake on the live link,
 * whose keys the {@link LinkCipher} switches to without losing traffic.
 * <ol>
 *   <li>the DTLS client (lower name) starts it at a keepalive once the keys are {@code rekey-after} old or
 *       either direction carried {@link LinkCipher#REKEY_RECORDS} frames ({@link LinkCipher#due});</li>
 *   <li>the server takes a ClientHello on the up link as the start of one: at most one handshake at a
 *       time, and at most one start a second (a ClientHello is unauthenticated: anyone who saw the
 *       link's index can send one, and its handshake fails at the certificate check);</li>
 *   <li>done, the keys are {@link LinkCipher#prepare prepared} at once, on the handshake's thread (before
 *       the peer can use them: the server's are ready before its Finished reaches the client); the
 *       client, which finishes last, probes with them and at every keepalive until the server's frames
 *       show it switched;</li>
 *   <li>a failed rekey (counted {@code dtls_failed}) leaves the link on its current keys; the client
 *       tries again a handshake timeout later, and rekeys anew if a switch has not come by then.</li>
 * </ol>
 * Not thread-safe: one session's state, used on its actor's thread. Methods take the session's current
 * {@link LinkContext}, which a reload replaces, and the link's cipher and endpoint.
 */
final class Rekeying {
    private final PeerId peer;
    private final LinkHandshake dtls;
    private final LinkSetup setup;
    private final SetupCounters setups;
    private final Supplier<Logger> log;
    private final LongSupplier nanoClock;
    private LinkHandshake.Run running;
    /** No rekey starts before this time (a client after a failure, a server after a start). */
    private long notBefore;
    /** When the last rekey's keys were prepared: a switch not done a handshake timeout later is rekeyed anew. */
    private long preparedAt;

    /** A started rekey's keys are prepared into the link's cipher as it completes; the machine then calls {@link #done}. */
    Rekeying(PeerId peer, LinkHandshake dtls, LinkSetup setup, SetupCounters setups, Supplier<Logger> log,
             LongSupplier nanoClock) {
        this.peer = peer;
        this.dtls = dtls;
        this.setup = setup;
        this.setups = setups;
        this.log = log;
        this.nanoClock = nanoClock;
    }

    /** The link came up (or was set up again): no rekey runs. */
    void reset() {
        running = null;
        notBefore = nanoClock.getAsLong();
    }

    /** A keepalive of the up secure link: old keys expire, prepared ones are probed, a due rekey starts. */
    void tick(LinkContext ctx, LinkCipher cipher, Endpoint endpoint) {
        cipher.expireOld();
        if (!isClient(ctx)) {
            return;
        }
        if (cipher.switching()) {
            probe(ctx, cipher, endpoint);
        }
        long now = nanoClock.getAsLong();
        boolean stuck = !cipher.switching() || now - preparedAt > ctx.security().handshakeTimeout().toNanos();
        if (running == null && now - notBefore >= 0 && stuck && cipher.due(ctx.security().rekeyAfter())) {
            start(ctx, cipher, DtlsHandshake.Role.CLIENT, null, endpoint);
        }
    }

    /** A DTLS record on the up secure link; false if nothing took it. */
    boolean receive(LinkContext ctx, LinkCipher cipher, byte[] record, Endpoint endpoint) {
        if (running != null) {
            return dtls.receive(record);
        }
        if (DtlsHandshake.isClientHello(record) && !isClient(ctx) && nanoClock.getAsLong() - notBefore >= 0) {
            start(ctx, cipher, DtlsHandshake.Role.SERVER, record, endpoint);
            return true;
        }
        return dtls.receiveWhileUp(record);             // a resent last flight for the lingering handshake
    }

    /** True if {@code hs} is the rekey this link runs. */
    boolean isRunning(LinkHandshake.Run hs) {
        return hs != null && hs == running;
    }

    /** The running rekey is done: its keys are prepared (the client probes them), or the current ones kept. */
    void done(LinkContext ctx, LinkCipher cipher, Throwable failure, Endpoint endpoint) {
        running = null;
        if (failure != null) {
            if (isClient(ctx)) {
                notBefore = nanoClock.getAsLong() + ctx.security().handshakeTimeout().toNanos();
            }
            ctx.counters().drop(SetupDrop.DTLS_FAILED);
            setups.handshakeFailed();
            log.get().warn("link to {}: rekey failed, keeping the current keys: {}", peer, LinkHandshake.failure(failure));
            return;
        }
        setups.handshakeOk();
        preparedAt = nanoClock.getAsLong();
        if (isClient(ctx)) {
            probe(ctx, cipher, endpoint);               // the server finished first: it holds the new keys
        }
    }

    private void start(LinkContext ctx, LinkCipher cipher, DtlsHandshake.Role role, byte[] clientHello, Endpoint endpoint) {
        if (clientHello != null) {
            dtls.keepEarly(clientHello);
        }
        try {
            running = dtls.start(role, setup.identity().orElseThrow(), setup.remote().index(), endpoint, cipher);
        } catch (CertificateEncodingException e) {
            log.get().warn("link to {}: cannot rekey: {}", peer, e.getMessage());
            return;
        }
        if (role == DtlsHandshake.Role.SERVER) {
            notBefore = nanoClock.getAsLong() + SecuritySettings.MIN_REKEY_AFTER.toNanos();  // one ClientHello a second
        }
    }

    private static void probe(LinkContext ctx, LinkCipher cipher, Endpoint endpoint) {
        byte[] probe = cipher.sealProbe();
        if (probe != null) {
            ctx.channel().sendRaw(probe, endpoint);
        }
    }

    private boolean isClient(LinkContext ctx) {
        return LinkHandshake.role(ctx.self().name(), peer) == DtlsHandshake.Role.CLIENT;
    }
}
