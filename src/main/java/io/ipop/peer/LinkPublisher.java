package io.ipop.peer;

import io.ipop.route.LinkIdentity;
import io.ipop.route.Route;
import io.ipop.secure.LinkCipher;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * What the rest of the node sees of one link: the {@link LinkSnapshot} management shows
 * ({@code /overlay/links}), and the route the {@link PeerDirectory} puts in the route table
 * ({@link LinkEffect.Routed}/{@link LinkEffect.Unrouted}, which the session tells it as {@code LinkUp}/{@code LinkDown}). A snapshot's {@code since} changes only with its state, and its RTT
 * is shown only while the link is up. Who the peer is comes from the session's {@link LinkSetup}.
 *
 * <p>Not thread-safe: one session's, used on its actor's thread (the snapshot it writes is read anywhere).
 */
final class LinkPublisher {
    private final PeerId peer;
    private final PeerLink link;
    private final LinkSetup setup;
    private final Consumer<LinkEffect> directory;
    private final Clock clock;

    /** {@code directory}: where the route effects go (the machine's list). */
    LinkPublisher(PeerId peer, PeerLink link, LinkSetup setup, Consumer<LinkEffect> directory, Clock clock) {
        this.peer = peer;
        this.link = link;
        this.setup = setup;
        this.directory = directory;
        this.clock = clock;
    }

    /** The link is in {@code state} at {@code endpoint} for {@code reason}, its security and cipher suite as shown. */
    void state(LinkState state, String reason, Endpoint endpoint) {
        LinkSnapshot old = link.snapshot();
        state(state, reason, endpoint, old.security(), old.cipherSuite());
    }

    /** The link is in {@code state} at {@code endpoint} for {@code reason}, with this security and cipher suite. */
    void state(LinkState state, String reason, Endpoint endpoint, SecurityDecision security, String cipherSuite) {
        LinkSnapshot old = link.snapshot();
        Instant since = old.state() == state ? old.since() : clock.instant();
        link.publish(new LinkSnapshot(state, since, endpoint, setup.remote(), state == LinkState.UP ? old.rttNanos() : -1,
                reason, security, cipherSuite, setup.fingerprint()));
    }

    /** Shows {@code why} as the link's reason; false if it already did. */
    boolean reason(String why) {
        if (why.equals(link.snapshot().reason())) {
            return false;
        }
        link.publish(link.snapshot().withReason(why));
        return true;
    }

    /** A keepalive's round trip. */
    void roundTrip(long nanos) {
        link.publish(link.snapshot().withRtt(nanos));
    }

    /** The link's security decision changed without setting it up again. */
    void security(SecurityDecision decision) {
        link.publish(link.snapshot().withSecurity(decision));
    }

    /**
     * The directory routes the peer's frames over this link, to {@code endpoint}, sealed by {@code cipher}
     * (null: plaintext), for the peer's identity: certified if its hello carried a verified certificate,
     * else what its hello claimed.
     */
    void routed(Endpoint endpoint, LinkCipher cipher) {
        PeerInfo remote = setup.remote();
        LinkIdentity identity = setup.identity().map(LinkIdentity::certified)
                .orElseGet(() -> LinkIdentity.claimed(remote.name(), remote.mac(), remote.address().address()));
        link.publishCipher(cipher);
        directory.accept(new LinkEffect.Routed(
                new Route(peer, link.localIndex(), remote.index(), endpoint, link.counters(), cipher, identity,
                link.flows())));
    }

    /** The directory routes nothing over this link any more. */
    void unrouted() {
        link.publishCipher(null);
        directory.accept(LinkEffect.Unrouted.INSTANCE);
    }
}
