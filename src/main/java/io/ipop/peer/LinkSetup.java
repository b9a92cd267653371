package io.ipop.peer;

import io.ipop.secure.PeerIdentity;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Hello;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link PeerSession} knows of its link's setup (docs/protocol.md): the peer's last verified
 * hello (who it is, its index and groups, the certificate it carried and what that proved), this side's
 * security decision and the one the peer stated. The link is secure if either side says so.
 *
 * <p>On a linked session it decides what a further {@code con_req} means: the same request again (the peer
 * lost our answer), the same setup from a peer whose groups or certificate changed (decide again), or a
 * reason to set the link up again.
 *
 * <p>Sans-IO and not thread-safe: one session's state.
 */
final class LinkSetup {
    private PeerInfo remote;
    private Optional<PeerIdentity> identity = Optional.empty();
    /** The certificate the peer's hello carried (base64), or null. */
    private String certificate;
    private SecurityDecision local;
    private Boolean peerDecision;
    /** Timestamp of the peer's newest verified hello taken into the setup. */
    private long heardTs = Long.MIN_VALUE;

    /** A verified hello ({@code identity}: what its certificate proved) and this side's decision about its sender. */
    void heard(Hello hello, Optional<PeerIdentity> identity, SecurityDecision local) {
        remember(hello, identity, local);
        this.peerDecision = hello.secure();
    }

    /** A linked peer's request with other groups or another certificate, and this side's unchanged decision. */
    void changed(ConReq req, Optional<PeerIdentity> identity, SecurityDecision local) {
        remember(req, identity, local);
    }

    /** This side decided again (a reload) without flipping. */
    void redecided(SecurityDecision now) {
        local = now;
    }

    /** A reload while seeking: the next hello is decided under the new settings. */
    void forgetDecision() {
        local = null;
    }

    /**
     * The link is set up again from scratch: the decisions are forgotten, but for {@code known}, this side's
     * decision if it is already stated (null if not). Who the peer was stays known.
     */
    void restart(SecurityDecision known) {
        local = known;
        peerDecision = null;
    }

    /** The peer's last verified hello, or null before any. */
    PeerInfo remote() {
        return remote;
    }

    Optional<PeerIdentity> identity() {
        return identity;
    }

    /** SHA-256 fingerprint of the peer's verified certificate, or null. */
    String fingerprint() {
        return identity.map(PeerIdentity::fingerprint).orElse(null);
    }

    /** This side's decision, or null before it decided (or after a reload while seeking). */
    SecurityDecision local() {
        return local;
    }

    /** True once this side decided about a peer it heard (false after a reload while seeking). */
    boolean decided() {
        return remote != null && local != null;
    }

    /** This side's decision as a hello states it: null before it heard the peer. */
    Boolean stated() {
        return local == null ? null : local.secure();
    }

    /** The decision the peer stated, or null if none. */
    Boolean peerDecision() {
        return peerDecision;
    }

    /** The link's decision: secure if either side says so. Only once both sides decided. */
    SecurityDecision agreed() {
        return local.combine(peerDecision);
    }

    /** True if this side's decision {@code now} differs in mode from the one the link was set up with. */
    boolean flips(SecurityDecision now) {
        return now.secure() != local.secure();
    }

    /** Same peer process, same index: the hello comes from the other end of this very link. */
    boolean samePeerProcess(Hello hello) {
        return hello.instance().equals(remote.instance()) && hello.index() == remote.index();
    }

    /** Same peer process, same index, same decision: nothing that forces the link to be set up again. */
    boolean sameSetup(ConReq req) {
        return samePeerProcess(req) && req.secure() != null && req.secure().equals(peerDecision);
    }

    /**
     * The same request again (our con_resp was lost): same instance, index and decision, and the same
     * groups and certificate — a peer whose groups or certificate changed by a reload must be decided
     * anew, even if its own decision did not change.
     */
    boolean isDuplicate(ConReq req) {
        return sameSetup(req) && req.groups().equals(remote.groups()) && Objects.equals(req.cert(), certificate);
    }

    /**
     * True if {@code hello} may set the link up again: it is newer than every verified hello the setup took.
     * A captured older hello (of the peer's previous process, or one sent before it heard us) replayed within
     * {@code hello-max-age}, with a nonce this node never saw, must not reset a link. Unsigned hellos prove
     * nothing either way and are not held to it.
     */
    boolean newer(Hello hello) {
        return identity.isEmpty() || hello.cert() == null || hello.ts() > heardTs;
    }

    /** Why a request that is not {@link #sameSetup} sets the link up again, in operator words. */
    String whySetUpAgain(ConReq req) {
        if (!samePeerProcess(req)) {
            return "peer restarted (new instance or index)";
        }
        if (req.secure() == null) {
            return "peer set the link up again";
        }
        return "peer now decides " + (req.secure() ? "secure" : "plaintext") + ": setting the link up again";
    }

    private void remember(Hello hello, Optional<PeerIdentity> identity, SecurityDecision local) {
        this.remote = PeerInfo.of(hello);
        this.identity = identity;
        this.certificate = hello.cert();
        this.local = local;
        this.heardTs = Math.max(heardTs, hello.ts());
    }
}
