package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cluster peer's link up with its new incarnation outlives the loss of the old one, for a bounded time. */
class RejoinsTest {
    private static final PeerId B = PeerId.of("b");
    private static final Endpoint AT = Endpoint.parse("192.0.2.2:5800");
    private final Rejoins rejoins = new Rejoins();

    static PeerLink link(Discovery by, LinkState state, String remoteInstance) {
        PeerLink l = PeerLink.connecting(B, by, 7, AT);
        PeerInfo remote = remoteInstance == null ? null : new PeerInfo("b", remoteInstance,
                OverlayAddress.parse("10.77.0.2/24", true), MacAddress.parse("02:00:00:00:00:02"), List.of(), 3);
        l.publish(new LinkSnapshot(state, Instant.now(), AT, remote, -1, "test", null, null, null));
        return l;
    }

    private static PeerDirectory.PeerLost lost(String instance) {
        return new PeerDirectory.PeerLost(B, Discovery.CLUSTER, "left the cluster", instance);
    }

    @Test
    void theLossOfTheOldIncarnationKeepsALinkUpWithTheNewOne() {
        assertTrue(rejoins.keep(lost("old"), link(Discovery.CLUSTER, LinkState.UP, "new"), 0));
        assertTrue(rejoins.any());
    }

    @Test
    void everyOtherLossUnlinksAsBefore() {
        assertFalse(rejoins.keep(lost("new"), link(Discovery.CLUSTER, LinkState.UP, "new"), 0), "the incarnation the link has");
        assertFalse(rejoins.keep(lost(null), link(Discovery.CLUSTER, LinkState.UP, "new"), 0), "any incarnation");
        assertFalse(rejoins.keep(lost("old"), link(Discovery.CLUSTER, LinkState.CONNECTING, "new"), 0), "not up");
        assertFalse(rejoins.keep(lost("old"), link(Discovery.CLUSTER, LinkState.UP, null), 0), "never answered");
        assertFalse(rejoins.keep(lost("old"), link(Discovery.STATIC, LinkState.UP, "new"), 0), "not the cluster's link");
        assertFalse(rejoins.keep(lost("old"), null, 0), "no link");
        assertFalse(rejoins.keep(new PeerDirectory.PeerLost(B, Discovery.INBOUND, "gone", "old"),
                link(Discovery.CLUSTER, LinkState.UP, "new"), 0), "another source");
        assertFalse(rejoins.any());
    }

    @Test
    void foundAgainTheLinkStaysForGood() {
        rejoins.keep(lost("old"), link(Discovery.CLUSTER, LinkState.UP, "new"), 0);
        rejoins.found(B);
        assertFalse(rejoins.any());
        assertEquals(List.of(), rejoins.due(Rejoins.GRACE.toNanos() * 2));
    }

    @Test
    void notFoundWithinTheGraceTheLossIsCarriedOutForAnyIncarnation() {
        long t = 1_000;
        rejoins.keep(lost("old"), link(Discovery.CLUSTER, LinkState.UP, "new"), t);
        assertEquals(List.of(), rejoins.due(t + Rejoins.GRACE.toNanos() - 1));
        List<PeerDirectory.PeerLost> due = rejoins.due(t + Rejoins.GRACE.toNanos());
        assertEquals(1, due.size());
        assertEquals(B, due.get(0).name());
        assertEquals(Discovery.CLUSTER, due.get(0).discoveredBy());
        assertEquals(null, due.get(0).instance(), "whatever incarnation: it is not kept again");
        assertFalse(rejoins.keep(due.get(0), link(Discovery.CLUSTER, LinkState.UP, "new"), t));
        assertFalse(rejoins.any());
    }
}
