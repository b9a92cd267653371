package io.ipop.peer;

import io.ipop.counters.Drop;
import io.ipop.counters.SetupDrop;
import io.ipop.secure.HelloSigning;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NonceCache;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.PkiException;
import io.ipop.secure.Revocations;
import io.ipop.secure.VerifiedCertificates;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Hello;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Decides whether a {@code con_req}/{@code con_resp} may be believed, before any of it is used.
 * Pure apart from the replay cache and the cache of verified certificates; thread-safe as far as they are.
 *
 * <p>Order of checks, cheapest first, so a forged or replayed hello costs little CPU (docs/security.md,
 * "Attacks and defences: link setup"): protocol version; a node that holds the overlay CA refuses every hello
 * without a certificate, in every security mode (a certified name is never accepted unsigned). Then, for a
 * hello with a certificate: it names this node as its receiver ({@code to}), its timestamp is within
 * {@code hello-max-age}, its nonce was not seen before from this source; only then the certificate (chains
 * to the CA, valid, remembered by {@link VerifiedCertificates}; not revoked, {@link Revocations}), that the hello's node name, overlay address,
 * groups and MAC (the one its name derives, {@code MacAddress.derivedFrom}) are the certificate's, and last
 * the one ECDSA verification of the signature; then the nonce is recorded. A node without the CA accepts an unsigned hello as unauthenticated unless it names another
 * receiver. Last: the sender must not claim this node's own overlay address.
 *
 * <p>A verified hello whose nonce was first seen from another source address is {@link Accepted#repeat}: it is
 * the same signed message twice (the first copy may have come from an attacker who captured it); its receiver
 * may use it only to validate the address it came from, never to change the link.
 */
public final class HelloCheck {

    /** The outcome of a check. */
    public sealed interface Verdict {
    }

    /**
     * Believe the hello; {@code identity} is the verified certificate, or empty for an unauthenticated peer.
     * {@code repeat}: the same hello was accepted before from another address (see the class comment).
     */
    public record Accepted(Optional<PeerIdentity> identity, boolean repeat) implements Verdict {
        public Accepted(Optional<PeerIdentity> identity) {
            this(identity, false);
        }
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
    private final Optional<VerifiedCertificates> certificates;

    /**
     * @param requireCertificates refuse unsigned hellos even without the CA (a node that holds the CA always does)
     */
    public HelloCheck(LocalNode self, Optional<NodeIdentity> identity, boolean requireCertificates, Duration maxAge,
                      NonceCache nonces, Clock clock) {
        this(self, identity, requireCertificates, maxAge, nonces, clock,
                identity.map(id -> new VerifiedCertificates(id.ca())), Revocations.NONE);
    }

    private HelloCheck(LocalNode self, Optional<NodeIdentity> identity, boolean requireCertificates, Duration maxAge,
                       NonceCache nonces, Clock clock, Optional<VerifiedCertificates> certificates, Revocations revoked) {
        this.revoked = revoked;
        this.self = self;
        this.identity = identity;
        this.requireCertificates = requireCertificates || identity.isPresent();
        this.maxAge = maxAge;
        this.nonces = nonces;
        this.clock = clock;
        this.certificates = certificates;
    }

    /**
     * The check after a reload: new identity, CA and limits, the same replay cache (a hello seen before
     * the reload is still a replay after it) and clock.
     */
    public HelloCheck reconfigured(LocalNode newSelf, Optional<NodeIdentity> newIdentity, boolean newRequireCertificates,
                                   Duration newMaxAge) {
        Optional<VerifiedCertificates> sameCa = certificates.filter(c -> newIdentity.isPresent()
                && c.ca().equals(newIdentity.get().ca()));
        return new HelloCheck(newSelf, newIdentity, newRequireCertificates, newMaxAge, nonces, clock,
                sameCa.isPresent() ? sameCa : newIdentity.map(id -> new VerifiedCertificates(id.ca())), revoked);
    }

    /** This check, refusing also the certificates in {@code list} (same replay cache and clock). */
    public HelloCheck withRevocations(Revocations list) {
        return new HelloCheck(self, identity, requireCertificates, maxAge, nonces, clock, certificates, list);
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

    /** The certificates this check verified (and remembers); empty without the CA. */
    public Optional<VerifiedCertificates> certificates() {
        return certificates;
    }

    /** Checks a hello that arrived by no address of its own (passed on by a rendezvous). */
    public Verdict check(Hello h) {
        return check(h, null);
    }

    /** Checks a hello that arrived from {@code from} (its source address; null if none). */
    public Verdict check(Hello h, Endpoint from) {
        if (h.v() != ControlMessage.PROTOCOL_VERSION) {
            return new Rejected(SetupDrop.HELLO_REFUSED, "peer speaks protocol version " + h.v() + ", this node "
                    + ControlMessage.PROTOCOL_VERSION, true);
        }
        Optional<PeerIdentity> verified = Optional.empty();
        boolean repeat = false;
        if (h.cert() != null && certificates.isPresent()) {
            Verdict v = authenticate(h, certificates.get(), from);
            if (v instanceof Rejected) {
                return v;
            }
            verified = ((Accepted) v).identity();
            repeat = ((Accepted) v).repeat();
        } else if (requireCertificates) {
            return new Rejected(SetupDrop.HELLO_NO_CERTIFICATE, "peer has no certificate, and this node links only with "
                    + "nodes holding one from the overlay CA", true);
        } else if (h.to() != null && !self.name().equals(h.to())) {
            // unsigned, so no defence against forgery, but an honest hello probing a candidate endpoint
            // (docs/nat.md) may reach another of the sender's peers: it must not reset that peer's link
            return new Rejected(SetupDrop.HELLO_MISADDRESSED, "hello addressed to node \"" + h.to() + "\", not to this node",
                    false);
        }
        if (PeerInfo.of(h).address().address() == self.address().address()) {
            return new Rejected(SetupDrop.HELLO_REFUSED, "peer claims this node's own overlay address "
                    + self.address().ip(), true);
        }
        return new Accepted(verified, repeat);
    }

    /** Cheap checks first (receiver, time, nonce), then the certificate (remembered), identity, and the signature. */
    private Verdict authenticate(Hello h, VerifiedCertificates trusted, Endpoint from) {
        if (!self.name().equals(h.to())) {
            // a signed hello for another node, replayed here: it must not reset our link to the sender
            return new Rejected(SetupDrop.HELLO_MISADDRESSED, "hello addressed to "
                    + (h.to() == null ? "no node" : "node \"" + h.to() + "\"") + ", not to this node", false);
        }
        long now = clock.millis();
        long skew = Math.abs(now - h.ts());
        if (skew > maxAge.toMillis()) {
            return new Rejected(SetupDrop.HELLO_STALE, "hello timestamp is " + skew + " ms away from this node's clock "
                    + "(limit " + maxAge.toMillis() + " ms): replayed, or clocks out of sync", false);
        }
        if (nonces.peek(h.node(), h.nonce(), from, now) == NonceCache.Seen.REPEATED) {
            return new Rejected(SetupDrop.HELLO_REPLAY, "hello replayed (nonce seen before)", false);
        }
        PeerIdentity peer;
        try {
            peer = trusted.verify(Base64.getDecoder().decode(h.cert()), clock.instant());
        } catch (PkiException | IllegalArgumentException e) {
            return new Rejected(SetupDrop.HELLO_BAD_CERTIFICATE, "peer certificate refused: " + e.getMessage(), true);
        }
        if (revoked.isRevoked(peer.fingerprint())) {
            return new Rejected(SetupDrop.HELLO_REVOKED, Revocations.why(peer), true);
        }
        PeerInfo claimed = PeerInfo.of(h);
        if (!peer.name().equals(h.node()) || peer.address().address() != claimed.address().address()
                || !peer.groups().equals(h.groups().stream().sorted().distinct().toList())
                || !peer.mac().equals(claimed.mac())) {
            return new Rejected(SetupDrop.HELLO_IDENTITY_MISMATCH, "hello (node " + h.node() + ", " + h.ip() + ", MAC "
                    + h.mac() + ", groups " + h.groups() + ") disagrees with its certificate (" + peer.name() + ", "
                    + peer.address() + ", MAC " + peer.mac() + ", groups " + peer.groups() + ")", false);
        }
        if (!HelloSigning.verify(h, peer.certificate().getPublicKey())) {
            return new Rejected(SetupDrop.HELLO_BAD_SIGNATURE, "hello signature does not verify", false);
        }
        NonceCache.Seen seen = nonces.record(h.node(), h.nonce(), from, now);
        if (seen == NonceCache.Seen.REPEATED) {
            return new Rejected(SetupDrop.HELLO_REPLAY, "hello replayed (nonce seen before)", false);
        }
        return new Accepted(Optional.of(peer), seen == NonceCache.Seen.ELSEWHERE);
    }
}
