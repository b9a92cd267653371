package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.MacAddress;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the node sees of a link: its snapshot and its route. */
class LinkPublisherTest {
    private static final Endpoint CONFIGURED = Endpoint.parse("192.0.2.2:5800");
    private static final Endpoint HEARD = Endpoint.parse("198.51.100.2:40000");
    private static final SecurityDecision PLAIN = new SecurityDecision(false, "mode:never");

    private final HandClock clock = new HandClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 0x1234, CONFIGURED);
    private final LinkSetup setup = new LinkSetup();
    private final List<LinkEffect> told = new ArrayList<>();
    private final LinkPublisher publisher = new LinkPublisher(PeerId.of("b"), link, setup, told::add, clock);

    @Test
    void aNewStateIsShownSinceNowWithWhoAndWhereThePeerIs() {
        setup.heard(conReq(), Optional.empty(), PLAIN);
        clock.passes(Duration.ofSeconds(5));
        publisher.state(LinkState.UP, "plaintext link agreed", HEARD, PLAIN, null);
        LinkSnapshot s = link.snapshot();
        assertEquals(LinkState.UP, s.state());
        assertEquals(clock.instant(), s.since());
        assertEquals(HEARD, s.endpoint());
        assertEquals(setup.remote(), s.remote());
        assertEquals("plaintext link agreed", s.reason());
        assertEquals(PLAIN, s.security());
        assertNull(s.peerCertificate(), "no certificate verified");
    }

    @Test
    void theSameStateKeepsItsSinceAndAnUpLinkItsRoundTrip() {
        setup.heard(conReq(), Optional.empty(), PLAIN);
        publisher.state(LinkState.UP, "up", HEARD, PLAIN, "suite");
        Instant since = link.snapshot().since();
        publisher.roundTrip(3_000_000);
        clock.passes(Duration.ofSeconds(5));
        publisher.state(LinkState.UP, "moved", CONFIGURED);
        LinkSnapshot s = link.snapshot();
        assertEquals(since, s.since());
        assertEquals(3_000_000, s.rttNanos());
        assertEquals("moved", s.reason());
        assertEquals(PLAIN, s.security(), "security and cipher suite as shown");
        assertEquals("suite", s.cipherSuite());
    }

    @Test
    void aLinkThatIsNotUpShowsNoRoundTrip() {
        setup.heard(conReq(), Optional.empty(), PLAIN);
        publisher.state(LinkState.UP, "up", HEARD, PLAIN, null);
        publisher.roundTrip(3_000_000);
        clock.passes(Duration.ofSeconds(1));
        publisher.state(LinkState.LOST, "nothing heard", HEARD, null, null);
        assertEquals(-1, link.snapshot().rttNanos());
        assertEquals(clock.instant(), link.snapshot().since());
        assertNull(link.snapshot().security());
    }

    @Test
    void aReasonIsShownOnceAndTheStateStays() {
        Instant since = link.snapshot().since();
        assertTrue(publisher.reason("peer refused the link: no"));
        assertFalse(publisher.reason("peer refused the link: no"));
        assertEquals("peer refused the link: no", link.snapshot().reason());
        assertEquals(since, link.snapshot().since());
        publisher.security(PLAIN);
        assertEquals(PLAIN, link.snapshot().security());
    }

    @Test
    void theDirectoryRoutesOverTheLinkUntilItIsDown() {
        setup.heard(conReq(), Optional.empty(), PLAIN);
        publisher.routed(HEARD, null);
        publisher.unrouted();
        LinkEffect.Routed up = assertInstanceOf(LinkEffect.Routed.class, told.get(0));
        assertEquals(PeerId.of("b"), up.route().peer());
        assertEquals(0x1234, up.route().localIndex());
        assertEquals(77, up.route().remoteIndex());
        assertEquals(HEARD, up.route().endpoint());
        assertSame(link.counters(), up.route().counters());
        assertEquals(MacAddress.parse("02:00:00:00:00:02"), new MacAddress(up.route().mac()));
        assertEquals(LinkEffect.Unrouted.INSTANCE, told.get(1));
    }

    private static ConReq conReq() {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "n-b", 77, 0, false, null, null);
    }

    /** A clock that moves only when told. */
    private static final class HandClock extends Clock {
        private Instant now;

        HandClock(Instant start) {
            now = start;
        }

        void passes(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
