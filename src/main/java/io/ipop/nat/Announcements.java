package io.ipop.nat;

import io.ipop.peer.LinkSnapshot;
import io.ipop.peer.LinkState;
import io.ipop.peer.PeerLink;
import io.ipop.wire.ControlMessage.AnnouncedPeer;
import io.ipop.wire.ControlMessage.Peers;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a rendezvous tells each linked node about the others (docs/nat.md): every other up link that
 * does not itself go through a relay, with the candidates to probe it at — first the endpoint the
 * rendezvous hears it from (its server-reflexive endpoint toward the rendezvous), then the candidates
 * its own verified hellos offered (its STUN-learned reflexive endpoint and host endpoints), without
 * duplicates, at most {@value #MAX_CANDIDATES}. Candidates are IPv4 (docs/protocol.md). Pure.
 */
final class Announcements {
    static final int MAX_CANDIDATES = 4;

    private final String self;
    private final boolean relay;

    /** @param relay this rendezvous relays too (said in every message) */
    Announcements(String self, boolean relay) {
        this.self = self;
        this.relay = relay;
    }

    /** The messages for {@code to}, of at most {@link Peers#MAX_PEERS} peers each; {@code paths} tells relayed links. */
    List<Peers> to(PeerLink to, List<PeerLink> links, RelayPaths paths) {
        List<AnnouncedPeer> others = new ArrayList<>();
        for (PeerLink other : links) {
            LinkSnapshot s = other.snapshot();
            if (other != to && s.state() == LinkState.UP && s.remote() != null && paths.via(s.endpoint()) == null
                    && s.endpoint().address().getAddress() instanceof Inet4Address) {
                others.add(new AnnouncedPeer(other.peer().name(), s.remote().address().toString(), candidates(s)));
            }
        }
        List<Peers> messages = new ArrayList<>();
        for (int i = 0; i < others.size(); i += Peers.MAX_PEERS) {
            messages.add(new Peers(self, relay, others.subList(i, Math.min(others.size(), i + Peers.MAX_PEERS))));
        }
        return messages;
    }

    /** The endpoint the link uses, then the candidates of the peer's verified hello; deduplicated, bounded. */
    static List<String> candidates(LinkSnapshot s) {
        Set<String> cands = new LinkedHashSet<>();
        cands.add(s.endpoint().toString());
        for (String c : s.remote().cands()) {
            if (cands.size() == MAX_CANDIDATES) {
                break;
            }
            cands.add(c);
        }
        return List.copyOf(cands);
    }
}
