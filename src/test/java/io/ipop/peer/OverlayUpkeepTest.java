package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ipop.dataplane.OverlayPaths;
import io.ipop.topology.TopologySettings;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fallback to the overlay path for a link that cannot come up directly, and closing idle overlay sessions. */
class OverlayUpkeepTest {
    private static final PeerId B = PeerId.of("b");
    private static final PeerId C = PeerId.of("c");
    private final Links links = new Links();
    private final OverlayMembers members = new OverlayMembers();
    private final List<PeerDirectory.Command> told = new ArrayList<>();
    private final OverlayUpkeep upkeep = new OverlayUpkeep(links, members, Duration.ofSeconds(5),
            new TopologySettings.OnDemand(256 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(120), 1), told::add);

    @Test
    void aLinkStillSeekingAfterTheDirectTimeoutGetsItsOverlayPathOnce() {
        PeerLink b = links.open(B, Discovery.STATIC, Endpoint.parse("192.0.2.2:5800"));
        members.found(B, null, null);
        Instant start = b.snapshot().since();
        upkeep.check(0, start.plusSeconds(4));
        assertEquals(List.of(), told, "before the direct timeout: nothing");
        upkeep.check(0, start.plusSeconds(6));
        PeerDirectory.CandidatesFound found = assertInstanceOf(PeerDirectory.CandidatesFound.class, told.get(0));
        assertEquals(B, found.peer());
        assertEquals(OverlayPaths.endpointOf(B), found.relay());
        assertNull(found.via());
        upkeep.check(0, start.plusSeconds(7));
        assertEquals(1, told.size(), "offered once");
    }

    @Test
    void aPeerARendezvousAnnouncedFallsBackToTheRelayNotTheOverlay() {
        // NatMatrixNetnsIT case e: the overlay path through the rendezvous beat its relay and held the link
        PeerLink b = links.open(B, Discovery.rendezvous(C), Endpoint.parse("198.51.100.3:5800"));
        members.found(B, null, null);
        upkeep.check(0, b.snapshot().since().plusSeconds(60));
        assertEquals(List.of(), told);
    }

    @Test
    void aPeerThatIsNoMemberGetsNoOverlayPath() {
        PeerLink b = links.open(B, Discovery.STATIC, Endpoint.parse("192.0.2.2:5800"));
        upkeep.check(0, b.snapshot().since().plusSeconds(60));
        assertEquals(List.of(), told);
    }

    @Test
    void anOverlaySessionWithoutDataForIdleIsForgottenKeepalivesDoNotCount() {
        PeerLink c = links.open(C, Discovery.OVERLAY, OverlayPaths.endpointOf(C));
        long s = 1_000_000_000L;
        upkeep.check(0, Instant.now());
        c.counters().sent(100);                           // a data frame
        upkeep.check(60 * s, Instant.now());
        c.counters().controlReceived();                   // keepalives: not data
        c.counters().heard();
        upkeep.check(179 * s, Instant.now());
        assertEquals(List.of(), told, "119 s since the last frame");
        upkeep.check(181 * s, Instant.now());
        PeerDirectory.Forget forget = assertInstanceOf(PeerDirectory.Forget.class, told.get(0));
        assertEquals(C, forget.peer());
    }

    @Test
    void anOverlaySessionThatNeverCarriedADataFrameIsForgottenAfterUnusedNotIdle() {
        PeerLink c = links.open(C, Discovery.OVERLAY, OverlayPaths.endpointOf(C));
        long s = 1_000_000_000L;
        upkeep.check(0, Instant.now());
        c.counters().controlReceived();                   // it came up: keepalives only
        upkeep.check(14 * s, Instant.now());
        assertEquals(List.of(), told, "14 s after it was opened");
        upkeep.check(OverlayUpkeep.UNUSED.toSeconds() * s, Instant.now());
        PeerDirectory.Forget forget = assertInstanceOf(PeerDirectory.Forget.class, told.get(0));
        assertEquals(C, forget.peer());
        assertEquals("overlay session unused for 15 s", forget.reason());
    }

    @Test
    void anOverlaySessionWhoseTrafficPassesTheThresholdWithinTheWindowGetsADirectLinkAtMostMaxOfThem() {
        PeerLink c = links.open(C, Discovery.OVERLAY, OverlayPaths.endpointOf(C));
        PeerLink d = links.open(PeerId.of("d"), Discovery.OVERLAY, OverlayPaths.endpointOf(PeerId.of("d")));
        long s = 1_000_000_000L;
        for (int t = 0; t < 20; t++) {                    // 20 KiB a second: 100 KiB a window, below 256 KiB
            c.counters().sent(20 * 1024);
            upkeep.check(t * s, Instant.now());
        }
        assertEquals(List.of(), told.stream().filter(m -> m instanceof PeerDirectory.WantDirect).toList());
        for (int t = 20; t < 24; t++) {                   // 100 KiB a second
            c.counters().received(100 * 1024);
            d.counters().received(100 * 1024);
            upkeep.check(t * s, Instant.now());
        }
        List<PeerDirectory.Command> wanted = told.stream().filter(m -> m instanceof PeerDirectory.WantDirect).toList();
        assertEquals(1, wanted.size(), "on-demand.max = 1: " + wanted);
    }
}
