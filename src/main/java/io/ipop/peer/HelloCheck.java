package io.ipop.peer;

import io.ipop.dataplane.Drop;
import io.ipop.secure.HelloSigning;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NonceCache;
import io.ipop.secure.PeerCertificates;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.PkiException;
import io.ipop.secure.Revocations;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Decides whether a {@code con_req}/{@code con_resp} may be believed, before any of it is used.
 * Pure apart from the replay cache; thread-safe as far as {@link NonceCache} is.
 *
 * <p>Order of checks: protocol version; then, if the hello carries a certificate and this node has
 * the CA: the certificate chains to the CA and is valid, is not revoked ({@link Revocations}), names the sender,
 * binds its overlay address and groups, its name fixes the hello's MAC ({@code MacAddress.derivedFrom}), the
 * signature verifies, the timestamp is within {@code hello-max-age}, the nonce was
 * not seen before, and the hello names this node as its receiver ({@code to}); an unsigned hello that
 * names another receiver is refused too. A hello without a certificate is refused by a node that requires authenticated
 * peers (any mode but {@code never}), else accepted as unauthenticated. Last: the sender must not
 * claim this node's own overlay address.
 */
public final class HelloCheck {

    /** The outcome of a check. */
    public sealed interface Verdict {
    }

    /** Believe the hello; {@code identity} is the verified certificate, or empty for an unauthenticated peer. */
    public record Accepted(Optional<PeerIdentity> identity) implements Verdict {
    }

    /**
     * Do not believe it. {@code tellPeer}: answer with {@code con_rej} so the peer's operator sees why
     * (only for refusals an honest, misconfigured peer would cause, never for forgeries or replays).
     */
    public record Rejected(Drop counter, String reason, boolean tellPeer) implements Verdict {
    }

    private final LocalNode self;
    private final Optional<NodeIdentity> identity;
    private final boolean requireCertificates;
    private final Duration maxAge;
    private final NonceCache nonces;
    private final Clock clock;
    private final Revocations revoked;

    public HelloCheck(LocalNode self, Optional<NodeIdentity> identity, boolean requireCertificates, Duration maxAge,
                      NonceCache nonces, Clock clock) {
        this(self, identity, requireCertificates, maxAge, nonces, clock, Revocations.NONE);
    }

    private HelloCheck(LocalNode self, Optional<NodeIdentity> identity, boolean requireCertificates, Duration maxAge,
                       NonceCache nonces, Clock clock, Revocations revoked) {
        this.revoked = revoked;
        this.self = self;
        this.identity = identity;
        this.requireCertificates = requireCertificates;
        this.maxAge = maxAge;
        this.nonces = nonces;
        this.clock = clock;
    }

    /**
     * The check after a reload: new identity, CA and limits, the same replay cache (a hello seen before
     * the reload is still a replay after it) and clock.
     */
    public HelloCheck reconfigured(LocalNode newSelf, Optional<NodeIdentity> newIdentity, boolean newRequireCertificates,
                                   Duration newMaxAge) {
        return new HelloCheck(newSelf, newIdentity, newRequireCertificates, newMaxAge, nonces, clock);
    }

    /** This check, refusing also the certificates in {@code list} (same replay cache and clock). */
    public HelloCheck withRevocations(Revocations list) {
        return new HelloCheck(self, identity, requireCertificates, maxAge, nonces, clock, list);
    }

    /** The revoked certificates this check refuses. */
    public Revocations revocations() {
        return revoked;
    }

    /**
     * A live link's peer certificate, accepted earlier, checked again now (a reload, or the periodic
     * re-verification): empty if it still stands against this node's CA, revoked list and the clock.
     */
    public Optional<String> recheck(PeerIdentity peer) {
        return identity.map(local -> revoked.recheck(local.ca(), peer.certificate(), clock.instant()))
                .orElse(Optional.of("no longer trusted: this node has no CA now"));
    }

    public Verdict check(Hello h) {
        if (h.v() != ControlMessage.PROTOCOL_VERSION) {
            return new Rejected(Drop.HELLO_REFUSED, "peer speaks protocol version " + h.v() + ", this node "
                    + ControlMessage.PROTOCOL_VERSION, true);
        }
        Optional<PeerIdentity> verified = Optional.empty();
        if (h.cert() != null && identity.isPresent()) {
            Verdict v = authenticate(h, identity.get());
            if (v instanceof Rejected) {
                return v;
            }
            verified = ((Accepted) v).identity();
        } else if (requireCertificates) {
            return new Rejected(Drop.HELLO_NO_CERTIFICATE, "peer has no certificate, and this node links only with "
                    + "nodes holding one from the overlay CA", true);
        } else if (h.to() != null && !self.name().equals(h.to())) {
            // unsigned, so no defence against forgery, but an honest hello probing a candidate endpoint
            // (docs/nat.md) may reach another of the sender's peers: it must not reset that peer's link
            return new Rejected(Drop.HELLO_MISADDRESSED, "hello addressed to node \"" + h.to() + "\", not to this node",
                    false);
        }
        if (PeerInfo.of(h).address().address() == self.address().address()) {
            return new Rejected(Drop.HELLO_REFUSED, "peer claims this node's own overlay address "
                    + self.address().ip(), true);
        }
        return new Accepted(verified);
    }

    private Verdict authenticate(Hello h, NodeIdentity local) {
        PeerIdentity peer;
        try {
            peer = PeerCertificates.verify(local.ca(), Base64.getDecoder().decode(h.cert()), clock.instant());
        } catch (PkiException | IllegalArgumentException e) {
            return new Rejected(Drop.HELLO_BAD_CERTIFICATE, "peer certificate refused: " + e.getMessage(), true);
        }
        if (revoked.isRevoked(peer.fingerprint())) {
            return new Rejected(Drop.HELLO_REVOKED, Revocations.why(peer), true);
        }
        if (!HelloSigning.verify(h, peer.certificate().getPublicKey())) {
            return new Rejected(Drop.HELLO_BAD_SIGNATURE, "hello signature does not verify", false);
        }
        PeerInfo claimed = PeerInfo.of(h);
        if (!peer.name().equals(h.node()) || peer.address().address() != claimed.address().address()
                || !peer.groups().equals(h.groups().stream().sorted().distinct().toList())
                || !peer.mac().equals(claimed.mac())) {
            return new Rejected(Drop.HELLO_IDENTITY_MISMATCH, "hello (node " + h.node() + ", " + h.ip() + ", MAC "
                    + h.mac() + ", groups " + h.groups() + ") disagrees with its certificate (" + peer.name() + ", "
                    + peer.address() + ", MAC " + peer.mac() + ", groups " + peer.groups() + ")", false);
        }
        long skew = Math.abs(clock.millis() - h.ts());
        if (skew > maxAge.toMillis()) {
            return new Rejected(Drop.HELLO_STALE, "hello timestamp is " + skew + " ms away from this node's clock "
                    + "(limit " + maxAge.toMillis() + " ms): replayed, or clocks out of sync", false);
        }
        if (!nonces.firstSeen(h.node(), h.nonce(), clock.millis())) {
            return new Rejected(Drop.HELLO_REPLAY, "hello replayed (nonce seen before)", false);
        }
        if (!self.name().equals(h.to())) {
            // a signed hello for another node, replayed here: it must not reset our link to the sender
            return new Rejected(Drop.HELLO_MISADDRESSED, "hello addressed to "
                    + (h.to() == null ? "no node" : "node \"" + h.to() + "\"") + ", not to this node", false);
        }
        return new Accepted(Optional.of(peer));
    }
}
