package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ipop.link.idle-keepalive} on the link machine, virtual clock: a quiet link pings only after that much
 * silence, once a round, the lower-named end first; a link that hears its peer never pings; lost after
 * {@code dead-after} as before.
 */
class IdleKeepaliveTest {
    /** idle-keepalive 20 s, dead-after 60 s: liveness ticks of 6 s. */
    private static final LinkSettings IDLE = new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(60),
            Duration.ofMillis(250), Duration.ofSeconds(2), 32, Duration.ofSeconds(20));
    private static final Endpoint PEER = Endpoint.parse("192.0.2.2:5800");

    private final DataplaneCounters counters = new DataplaneCounters();

    @Test
    void aQuietLinkPingsOnceARoundAfterIdleKeepalive() {
        VirtualLink v = upAs("a");
        List<Long> at = pingTimes(v, Duration.ofSeconds(70), true);
        // silence measured at ticks: 24 s >= 20 s: ping; the pong is heard, the next tick starts the silence
        // again (30 s), and 24 s later the next ping
        assertEquals(List.of(24L, 54L), at);
    }

    @Test
    void theHigherNamedEndWaitsTwoTicksLongerSoTheLowerOnePingsFirst() {
        VirtualLink v = upAs("c");
        assertEquals(List.of(36L), pingTimes(v, Duration.ofSeconds(40), true));
    }

    @Test
    void aLinkThatHearsItsPeerNeverPings() {
        VirtualLink v = upAs("a");
        for (int i = 0; i < 30; i++) {
            v.advance(Duration.ofSeconds(5));
            v.link.counters().heard();
        }
        assertEquals(List.of(), v.take(Ping.class));
        assertEquals(LinkState.UP, v.link.snapshot().state());
    }

    @Test
    void aSilentPeerIsStillLostWithinDeadAfter() {
        VirtualLink v = upAs("a");
        v.advance(Duration.ofSeconds(53));
        assertEquals(LinkState.UP, v.link.snapshot().state());
        assertEquals(5, v.take(Ping.class).size(), "pings from 24 s on, one a tick, unanswered");
        v.advance(Duration.ofSeconds(1));
        assertEquals(LinkState.LOST, v.link.snapshot().state(), "54 s + a tick >= dead-after");
    }

    /** Seconds since up at which {@code v} pinged within {@code span}, answering each ping with a pong if {@code answer}. */
    private static List<Long> pingTimes(VirtualLink v, Duration span, boolean answer) {
        long start = v.now;
        List<Long> at = new java.util.ArrayList<>();
        for (long s = 0; s < span.toSeconds(); s++) {
            v.advance(Duration.ofSeconds(1));
            for (Ping p : v.take(Ping.class)) {
                at.add((v.now - start) / 1_000_000_000L);
                if (answer) {
                    v.feed(new LinkEvent.Control(PEER, new Pong("b", p.seq(), p.ts())));
                }
            }
        }
        return at;
    }

    /** A plaintext link from node {@code self} to b, up, with {@link #IDLE} timers. */
    private VirtualLink upAs(String self) {
        LocalNode node = new LocalNode(self, "instance-" + self, OverlayAddress.parse("10.77.0.1/24", true),
                MacAddress.parse("02:00:00:00:00:01"), List.of("blue"), Endpoint.parse("192.0.2.1:5800"), Instant.now());
        PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 0x1234, PEER);
        VirtualLink v = new VirtualLink(LinkMachineTest.context(counters, node, IDLE), PEER, link,
                verified -> new SecurityDecision(false, "mode:never"));
        v.feed(LinkEvent.Start.INSTANCE);
        v.feed(new LinkEvent.Control(PEER, LinkMachineTest.conReq("instance-b", 77, false)));
        assertEquals(LinkState.UP, link.snapshot().state());
        v.sent.clear();
        return v;
    }
}
