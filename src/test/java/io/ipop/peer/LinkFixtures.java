package io.ipop.peer;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.time.Instant;
import java.util.List;

/** Links in a given state, for tests outside this package (Links and PeerLink are written only by the directory). */
public final class LinkFixtures {
    private LinkFixtures() {
    }

    public static Links links(PeerLink... all) {
        Links links = new Links();
        for (PeerLink l : all) {
            links.add(l);
        }
        return links;
    }

    public static PeerLink connecting(String peer, Discovery discoveredBy, int index, Endpoint endpoint) {
        return PeerLink.connecting(PeerId.of(peer), discoveredBy, index, endpoint);
    }

    /** An up link to {@code peer} at {@code at}, overlay 10.77.0.{index}, whose hello offered {@code cands}. */
    public static PeerLink up(String peer, Discovery discoveredBy, int index, Endpoint at, List<String> cands) {
        return up(PeerLink.connecting(PeerId.of(peer), discoveredBy, index, at), at, cands);
    }

    /** {@code link} published as up at {@code at}. */
    public static PeerLink up(PeerLink link, Endpoint at, List<String> cands) {
        int host = Math.floorMod(link.localIndex(), 250) + 1;
        PeerInfo remote = new PeerInfo(link.peer().name(), "i-" + link.peer(), OverlayAddress.parse("10.77.0." + host + "/24", true),
                MacAddress.parse("02:00:00:00:00:" + String.format("%02x", host)), List.of(), 9, cands);
        link.publish(new LinkSnapshot(LinkState.UP, Instant.now(), at, remote, -1, "up", null, null, null));
        return link;
    }
}
