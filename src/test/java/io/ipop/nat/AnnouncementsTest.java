package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.peer.Discovery;
import io.ipop.peer.LinkFixtures;
import io.ipop.peer.PeerLink;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.AnnouncedPeer;
import io.ipop.wire.ControlMessage.Peers;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a rendezvous announces (docs/nat.md): per peer the endpoint it hears it from, then the host and
 * reflexive candidates of that peer's verified hellos, deduplicated and bounded; never the receiver
 * itself, a link that is down, or one that goes through a relay.
 */
class AnnouncementsTest {
    private static final Endpoint A_AT = Endpoint.parse("198.51.100.2:5800");
    private static final Endpoint B_AT = Endpoint.parse("198.51.100.3:5800");

    private final Announcements announcements = new Announcements("rv", false);

    @Test
    void theSeenEndpointComesFirstThenTheHelloCandidatesWithoutDuplicates() {
        PeerLink a = LinkFixtures.up("a", Discovery.INBOUND, 2, A_AT, List.of());
        // port-preserving NAT: b's STUN-learned endpoint is the one the rendezvous sees
        PeerLink b = LinkFixtures.up("b", Discovery.INBOUND, 3, B_AT, List.of("198.51.100.3:5800", "203.0.113.10:5800"));
        List<Peers> toA = announcements.to(a, List.of(a, b), new RelayPaths());
        assertEquals(1, toA.size());
        AnnouncedPeer announced = toA.get(0).peers().get(0);
        assertEquals("b", announced.name());
        assertEquals(List.of("198.51.100.3:5800", "203.0.113.10:5800"), announced.cands());
        assertEquals(b.snapshot().remote().address().toString(), announced.ip());
    }

    @Test
    void atMostFourCandidatesTheSeenOneAlwaysAmongThem() {
        PeerLink a = LinkFixtures.up("a", Discovery.INBOUND, 2, A_AT, List.of());
        // symmetric NAT: the port rv sees differs from the one b's STUN server saw
        PeerLink b = LinkFixtures.up("b", Discovery.INBOUND, 3, Endpoint.parse("198.51.100.3:40001"),
                List.of("198.51.100.3:40000", "203.0.113.10:5800", "10.1.0.10:5800", "172.16.0.10:5800"));
        List<String> cands = announcements.to(a, List.of(a, b), new RelayPaths()).get(0).peers().get(0).cands();
        assertEquals(List.of("198.51.100.3:40001", "198.51.100.3:40000", "203.0.113.10:5800", "10.1.0.10:5800"), cands);
    }

    @Test
    void leavesOutTheReceiverLinksThatAreDownAndRelayedOnes() {
        PeerLink a = LinkFixtures.up("a", Discovery.INBOUND, 2, A_AT, List.of());
        PeerLink b = LinkFixtures.up("b", Discovery.INBOUND, 3, B_AT, List.of());
        PeerLink c = LinkFixtures.connecting("c", Discovery.INBOUND, 4, Endpoint.parse("198.51.100.4:5800"));
        Endpoint relayed = Endpoint.parse("198.51.100.20:40002");
        PeerLink d = LinkFixtures.up("d", Discovery.INBOUND, 5, relayed, List.of());
        RelayPaths paths = new RelayPaths();
        paths.put(relayed, PeerId.of("rv2"));
        List<Peers> toA = announcements.to(a, List.of(a, b, c, d), paths);
        assertEquals(List.of("b"), toA.get(0).peers().stream().map(AnnouncedPeer::name).toList());
        assertTrue(announcements.to(a, List.of(a), paths).isEmpty(), "nobody else: no message");
    }

    @Test
    void manyPeersSplitIntoMessagesThatEachFitOneControlFrame() {
        List<PeerLink> links = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String name = (i + "-").repeat(40).substring(0, 64);
            links.add(LinkFixtures.up(name, Discovery.INBOUND, 10 + i, Endpoint.parse("198.51.100." + (10 + i) + ":65535"),
                    List.of("203.0.113." + (10 + i) + ":65535", "192.0.2." + (10 + i) + ":65535",
                            "10.255.255." + (10 + i) + ":65535")));
        }
        List<Peers> messages = new Announcements("r".repeat(64), true).to(links.get(0), links, new RelayPaths());
        assertEquals(List.of(Peers.MAX_PEERS, Peers.MAX_PEERS, 39 - 2 * Peers.MAX_PEERS),
                messages.stream().map(m -> m.peers().size()).toList());
        ControlCodec codec = new ControlCodec();
        for (Peers m : messages) {
            assertTrue(codec.encode(m).length <= ControlCodec.MAX_CONTROL_FRAME);
            assertTrue(m.relay());
        }
    }
}
