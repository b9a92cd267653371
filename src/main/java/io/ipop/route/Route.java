package io.ipop.route;

import io.ipop.secure.LinkCipher;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;

/**
 * Where frames for one up link go, as the data plane sees it. Immutable.
 *
 * @param peer        the peer node
 * @param localIndex  receiver index we handed the peer: it marks frames arriving on this link
 * @param remoteIndex receiver index the peer handed us: we put it in frames we send
 * @param endpoint    the peer's underlay address; a plaintext link takes data from nowhere else
 * @param counters    the link's counters (shared, mutable, thread-safe)
 * @param cipher      the secure link's keys, or {@code null} for a plaintext link
 * @param identity    what the peer may speak as (its MAC, its source addresses), and so the one MAC this
 *                    link carries unicast frames to
 * @param flows       the flows this node started over the link, whose replies the firewall lets in (shared,
 *                    thread-safe, kept across the link's setups)
 */
public record Route(PeerId peer, int localIndex, int remoteIndex, Endpoint endpoint, LinkCounters counters,
                    LinkCipher cipher, LinkIdentity identity, FlowTable flows) {

    public boolean secure() {
        return cipher != null;
    }

    /** The peer's MAC: the only unicast destination this link carries. */
    public long mac() {
        return identity.mac();
    }
}
