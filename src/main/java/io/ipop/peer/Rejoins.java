package io.ipop.peer;

import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cluster peers that restarted and linked again before the cluster removed their previous incarnation
 * (docs/reliability.md 7b): a restarted node links at once to the peers it remembers, and the cluster removes its
 * old member only when the new one joins, seconds later. That loss ({@link PeerDirectory.PeerLost} with the old
 * instance) must not take down the link the new incarnation set up. Such a link is kept while its peer's new member
 * joins, for {@link #GRACE} at most: if the cluster has not found the peer again by then, the link goes as the loss
 * said. So a link to a node that is no member stays bounded, as a member's link was.
 *
 * <p>Not thread-safe: owned by the {@link PeerDirectory} actor.
 */
final class Rejoins {
    /** How long the new incarnation of a lost member may take to join the cluster. */
    static final Duration GRACE = Duration.ofSeconds(60);

    /** Peers whose link outlived the loss of their old incarnation, with the loss and its deadline (nanoseconds). */
    private final Map<PeerId, Waiting> waiting = new HashMap<>();

    private record Waiting(PeerDirectory.PeerLost lost, long deadline) {
    }

    /**
     * Whether the link outlives {@code lost}: a cluster loss of one incarnation ({@code lost.instance()} set) while
     * the link is up with another one. If so it waits for the peer to be found again, until {@code nowNanos + GRACE}.
     */
    boolean keep(PeerDirectory.PeerLost lost, PeerLink link, long nowNanos) {
        if (lost.instance() == null || lost.discoveredBy() != Discovery.CLUSTER || link == null
                || link.discoveredBy() != Discovery.CLUSTER) {
            return false;
        }
        LinkSnapshot snap = link.snapshot();
        if (snap.state() != LinkState.UP || snap.remote() == null || snap.remote().instance().equals(lost.instance())) {
            return false;
        }
        waiting.putIfAbsent(lost.name(), new Waiting(lost, nowNanos + GRACE.toNanos()));
        return true;
    }

    /** The cluster found {@code peer} (again): its link stays for good. */
    void found(PeerId peer) {
        waiting.remove(peer);
    }

    /** The peer's link went (or another loss said so): nothing to wait for. */
    void forget(PeerId peer) {
        waiting.remove(peer);
    }

    /** Whether some link waits for its peer to join. */
    boolean any() {
        return !waiting.isEmpty();
    }

    /**
     * The losses whose grace is over at {@code nowNanos}, now to be carried out for whatever incarnation (instance
     * null); they no longer wait.
     */
    List<PeerDirectory.PeerLost> due(long nowNanos) {
        List<PeerDirectory.PeerLost> out = new ArrayList<>();
        for (var it = waiting.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (nowNanos - e.getValue().deadline() >= 0) {
                PeerDirectory.PeerLost l = e.getValue().lost();
                out.add(new PeerDirectory.PeerLost(l.name(), l.discoveredBy(), l.reason() + "; its new incarnation did not"
                        + " join within " + GRACE.toSeconds() + " s"));
                it.remove();
            }
        }
        return out;
    }
}
