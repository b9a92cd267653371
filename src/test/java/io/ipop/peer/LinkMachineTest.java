package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.counters.SetupDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;


import io.ipop.route.Route;
import io.ipop.secure.NonceCache;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.ControlMessage.Ping;
import io.ipop.wire.ControlMessage.Pong;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The link machine on a virtual clock, no actor: backoff, coming up, silence, restarts, moves, reload, close. */
class LinkMachineTest {
    static final LinkSettings TIMERS = new LinkSettings(
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofSeconds(2));
    private static final Endpoint PEER = Endpoint.parse("192.0.2.2:5800");
    private static final Endpoint ELSEWHERE = Endpoint.parse("192.0.2.9:5800");
    private static final Endpoint DIRECT = Endpoint.parse("198.51.100.3:62000");
    private static final Endpoint RELAY = Endpoint.parse("198.51.100.10:40001");
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of("blue"), Endpoint.parse("192.0.2.1:5800"), Instant.now());
    private static final SecurityDecision PLAIN = new SecurityDecision(false, "mode:never");

    private final DataplaneCounters counters = new DataplaneCounters();
    private final LinkContext ctx = context(counters);
    private final PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 0x1234, PEER);
    private final VirtualLink v = new VirtualLink(ctx, PEER, link, verified -> PLAIN);

    @Test
    void seekingRetriesWithCappedExponentialBackoff() {
        long start = v.now;
        v.feed(LinkEvent.Start.INSTANCE);
        v.advance(Duration.ofSeconds(8));
        List<Long> at = v.sent.stream().filter(s -> s.message() instanceof ConReq && s.to().equals(PEER))
                .map(s -> (s.atNanos() - start) / 1_000_000).toList();
        assertEquals(List.of(0L, 250L, 750L, 1750L, 3750L, 5750L, 7750L), at, "retry-min doubled, capped at retry-max");
        assertEquals(LinkState.CONNECTING, link.snapshot().state());
    }

    @Test
    void aVerifiedRequestBringsAPlaintextLinkUpAndIsAnswered() {
        bringUp();
        assertEquals(LinkState.UP, link.snapshot().state());
        Route route = v.routes.get(v.routes.size() - 1);
        assertEquals(77, route.remoteIndex());
        assertEquals(PEER, route.endpoint());
        assertNull(route.cipher());
        assertFalse(v.timerRunning(LinkMachine.Timer.RETRY), "no more con_req once up");
        assertTrue(v.timerRunning(LinkMachine.Timer.PING) && v.timerRunning(LinkMachine.Timer.LIVENESS));
        assertTrue(v.logs.contains("INFO link to b up: 10.77.0.2/24 at 192.0.2.2:5800, plaintext (mode:never)"), v.logs.toString());
    }

    @Test
    void aSilentPeerIsLostWithinDeadAfterAndSoughtAgainUnderANewIndex() {
        bringUp();
        int index = link.localIndex();
        v.advance(Duration.ofMillis(4400));
        assertEquals(LinkState.UP, link.snapshot().state(), "not lost before 0.9 x dead-after");
        assertEquals(4, v.take(Ping.class).size(), "a keepalive a second");
        v.advance(Duration.ofMillis(200));
        assertEquals(LinkState.LOST, link.snapshot().state());
        assertEquals("nothing heard from peer for 5000 ms", link.snapshot().reason());
        assertNull(v.routes.get(v.routes.size() - 1), "unrouted");
        assertNotEquals(index, link.localIndex(), "a new setup, a new receiver index");
        List<ConReq> again = v.take(ConReq.class);
        assertEquals(link.localIndex(), again.get(again.size() - 1).index(), "sought again under the new index");
        assertTrue(v.logs.contains("WARN link to b lost: nothing heard from peer for 5000 ms"));
        assertTrue(v.timerRunning(LinkMachine.Timer.RETRY));
        assertFalse(v.timerRunning(LinkMachine.Timer.PING));
    }

    @Test
    void aPeerThatIsHeardStaysUp() {
        bringUp();
        for (int i = 0; i < 20; i++) {
            v.advance(Duration.ofSeconds(1));
            link.counters().heard();
        }
        assertEquals(LinkState.UP, link.snapshot().state());
    }

    @Test
    void aPongGivesTheRoundTripOnTheEventsClock() {
        bringUp();
        v.advance(Duration.ofSeconds(1));
        Ping ping = v.take(Ping.class).get(0);
        v.now += 7_000_000;
        v.feed(new LinkEvent.Control(PEER, new Pong("b", ping.seq(), ping.ts())));
        assertEquals(7_000_000, link.snapshot().rttNanos());
    }

    @Test
    void aRestartedPeerIsSetUpAgainUnderNewIndexesOnBothSides() {
        bringUp();
        int index = link.localIndex();
        v.feed(new LinkEvent.Control(PEER, conReq("instance-b2", 78, null)));
        assertEquals(LinkState.LOST, link.snapshot().state());
        assertEquals("peer restarted (new instance or index)", link.snapshot().reason());
        assertNull(v.routes.get(v.routes.size() - 1));
        assertNotEquals(index, link.localIndex());
        List<ConReq> reqs = v.take(ConReq.class);
        ConReq ours = reqs.get(reqs.size() - 1);
        assertEquals(Boolean.FALSE, ours.secure(), "our decision about the new process, stated at once");
        v.feed(new LinkEvent.Control(PEER, conResp("instance-b2", 78, ours.nonce())));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(78, v.routes.get(v.routes.size() - 1).remoteIndex());
    }

    @Test
    void aRequestFromAnUnprovenAddressEarnsAChallengeNotTheLink() {
        bringUp();
        v.feed(new LinkEvent.Control(ELSEWHERE, conReq("instance-b2", 78, false)));
        assertEquals(1, counters.drops(SetupDrop.HELLO_UNPROVEN_PATH));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(List.of(ELSEWHERE), v.sent.stream().map(VirtualLink.Sent::to).toList(), "one challenge, there");
        v.sent.clear();
        v.feed(new LinkEvent.Control(ELSEWHERE, conReq("instance-b2", 78, false)));
        assertEquals(List.of(), v.sent, "challenges to one address are spaced");
        v.now += Probes.CHALLENGE_GAP_NANOS;
        v.feed(new LinkEvent.Control(ELSEWHERE, conReq("instance-b2", 78, false)));
        assertEquals(1, v.take(ConReq.class).size());
    }

    @Test
    void aRelayedLinkMovesToADirectPathThatAnswersButNeverBack() {
        v.feed(LinkEvent.Start.INSTANCE);
        v.feed(new LinkEvent.CandidatesLearned(List.of(DIRECT), RELAY, PeerId.of("r")));
        ConReq viaRelay = (ConReq) v.sent.stream().filter(s -> s.to().equals(RELAY)).reduce((x, y) -> y).orElseThrow().message();
        v.feed(new LinkEvent.Control(RELAY, conResp("instance-b", 77, viaRelay.nonce())));
        assertEquals(RELAY, link.snapshot().endpoint(), "up on the relay, which answered");
        v.sent.clear();
        v.advance(Duration.ofSeconds(4));
        List<VirtualLink.Sent> probes = v.sent.stream().filter(s -> s.message() instanceof ConReq).toList();
        assertEquals(List.of(DIRECT, PEER), probes.stream().map(VirtualLink.Sent::to).toList(), "every 4th keepalive");
        link.counters().heard();
        v.feed(new LinkEvent.Control(DIRECT, conResp("instance-b", 77, ((ConReq) probes.get(0).message()).nonce())));
        assertEquals(DIRECT, link.snapshot().endpoint());
        assertEquals("moved from relay to direct path", link.snapshot().reason());
        assertEquals(DIRECT, v.routes.get(v.routes.size() - 1).endpoint());
        v.feed(new LinkEvent.Control(RELAY, conResp("instance-b", 77, viaRelay.nonce())));
        assertEquals(DIRECT, link.snapshot().endpoint(), "never from a direct path onto a relay");
    }

    @Test
    void anUnchangedDecisionAfterAReloadIsAnnouncedWithBackoffUntilAnswered() {
        bringUp();
        v.feed(new LinkEvent.Reconfigure(ctx, null));
        assertEquals(LinkState.UP, link.snapshot().state(), "same decision: the link stays");
        List<ConReq> first = v.take(ConReq.class);
        assertEquals(1, first.size());
        v.advance(Duration.ofMillis(250));
        assertEquals(1, v.take(ConReq.class).size(), "announced again after retry-min");
        v.advance(Duration.ofMillis(499));
        assertEquals(0, v.take(ConReq.class).size(), "then after twice that");
        v.advance(Duration.ofMillis(1));
        ConReq third = v.take(ConReq.class).get(0);
        v.feed(new LinkEvent.Control(PEER, conResp("instance-b", 77, third.nonce())));
        assertFalse(v.timerRunning(LinkMachine.Timer.ANNOUNCE), "answered: the announcement ends");
    }

    @Test
    void closeTellsAnUpPeerAndStopsTheMachine() {
        bringUp();
        v.feed(new LinkEvent.Close("node shutting down"));
        Close close = v.take(Close.class).get(0);
        assertEquals("node shutting down", close.reason());
        assertNull(v.routes.get(v.routes.size() - 1));
        assertTrue(v.stopped);
        assertEquals(List.of(), v.feed(new LinkEvent.Control(PEER, conReq("instance-b", 77, false))), "stopped");
    }

    @Test
    void aTickOrAnAnswerForAStateSinceLeftChangesNothing() {
        v.feed(LinkEvent.Start.INSTANCE);
        assertEquals(List.of(), v.feed(new LinkEvent.Tick(LinkMachine.Timer.PING)));
        assertEquals(List.of(), v.feed(new LinkEvent.Tick(LinkMachine.Timer.LIVENESS)));
        assertEquals(List.of(), v.feed(new LinkEvent.Decided(LinkMachine.AfterReload.INSTANCE, PLAIN)));
        bringUp();
        assertEquals(List.of(), v.feed(new LinkEvent.Tick(LinkMachine.Timer.RETRY)));
    }

    @Test
    void anAnswerToNothingAskedIsCountedWhileSeeking() {
        v.feed(LinkEvent.Start.INSTANCE);
        v.feed(new LinkEvent.Control(PEER, conResp("instance-b", 77, "never-sent")));
        assertEquals(1, counters.drops(SetupDrop.UNEXPECTED_RESPONSE));
        assertEquals(LinkState.CONNECTING, link.snapshot().state());
    }

    /**
     * NAT openers (docs/nat.md, "Openers first"): a peer a rendezvous announced gets only TTL-limited probes, then
     * this side's request through the rendezvous; once the peer signals back (its own openers went first), it is
     * probed in full.
     */
    @Test
    void aPeerBehindARendezvousGetsOpenersThenTheSignalThenFullProbes() {
        Signaling rendezvous = new Signaling() {
            @Override
            public void forward(PeerId peer, java.util.function.Supplier<? extends ControlMessage.Hello> hello) {
            }

            @Override
            public boolean canForward(PeerId peer) {
                return true;
            }
        };
        LinkContext behindNat = new LinkContext(SELF, TIMERS, ctx.security(), Optional.empty(),
                new ControlChannel(new RecordingUnderlay().limitingTtl(), new ControlCodec()), ctx.hellos(), ctx.check(),
                null, counters, null, rendezvous);
        PeerLink announced = PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x1234, PEER);
        VirtualLink w = new VirtualLink(behindNat, PEER, announced, verified -> PLAIN);
        w.feed(LinkEvent.Start.INSTANCE);
        assertEquals(List.of(PEER, PEER), w.limited.stream().map(VirtualLink.Sent::to).toList(), "TTL 2 and 3");
        assertTrue(w.sent.stream().noneMatch(s -> s.message() instanceof ConReq), "nothing in full yet: " + w.sent);
        assertEquals(1, w.forwarded.size(), "then the request through the rendezvous");

        ConReq signal = new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "fwd-b", 77, System.currentTimeMillis(), null, null, null, "a", List.of(PEER.toString()));
        w.feed(new LinkEvent.Signaled(signal, PeerId.of("rv")));
        assertTrue(w.sent.stream().anyMatch(s -> s.message() instanceof ConReq && s.to().equals(PEER)),
                "the peer is open toward us: probed in full: " + w.sent);
    }

    private void bringUp() {
        if (v.sent.isEmpty() && link.snapshot().state() == LinkState.CONNECTING) {
            v.feed(LinkEvent.Start.INSTANCE);
        }
        v.feed(new LinkEvent.Control(PEER, conReq("instance-b", 77, false)));
        assertEquals(LinkState.UP, link.snapshot().state());
        ConResp answer = v.take(ConResp.class).get(0);
        assertEquals("n-b", answer.echo());
        assertEquals(false, answer.secure());
    }

    static ConReq conReq(String instance, int index, Boolean secure) {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", instance, "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "n-b", index, 0, secure, null, null);
    }

    static ConResp conResp(String instance, int index, String echo) {
        return new ConResp(ControlMessage.PROTOCOL_VERSION, "b", instance, "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "r-" + echo, index, 0, echo, false, null, null);
    }

    private static LinkContext context(DataplaneCounters counters) {
        return context(counters, SELF, TIMERS);
    }

    /** A plaintext node {@code self} with link timers {@code timers} (IdleKeepaliveTest). */
    static LinkContext context(DataplaneCounters counters, LocalNode self, LinkSettings timers) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        HelloCheck check = new HelloCheck(self, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        return new LinkContext(self, timers, security, Optional.empty(),
                new ControlChannel(new RecordingUnderlay(), new ControlCodec()), new Hellos(self, Optional.empty()),
                check, null, counters, null);
    }
}
