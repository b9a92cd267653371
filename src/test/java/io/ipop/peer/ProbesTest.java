package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NonceCache;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Where a session's con_reqs go: direct probes on a relayed link, candidates from forwarded hellos, answers. */
class ProbesTest {
    private static final Endpoint CONFIGURED = Endpoint.parse("192.0.2.2:5800");
    private static final Endpoint DIRECT = Endpoint.parse("198.51.100.3:62000");
    private static final Endpoint RELAYED = Endpoint.parse("198.51.100.10:40001");
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of("blue"), Endpoint.parse("192.0.2.1:5800"), Instant.now());

    private final RecordingUnderlay wire = new RecordingUnderlay();
    private final LinkContext ctx = context(wire);
    private final PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 0x1234, CONFIGURED);
    private final Probes probes = new Probes(PeerId.of("b"), link, CONFIGURED, true);

    @Test
    void onARelayedLinkEveryFourthKeepaliveProbesTheDirectPaths() {
        probes.candidates().learn(List.of(DIRECT), RELAYED, PeerId.of("r"));
        for (long seq = 1; seq <= 3; seq++) {
            probes.keepaliveSent(ctx, RELAYED, seq, false, 0);
        }
        assertEquals(List.of(), wire.drain());
        probes.keepaliveSent(ctx, RELAYED, Probes.PROBE_EVERY, false, 0);
        List<RecordingUnderlay.Sent> sent = wire.drain();
        assertEquals(List.of(DIRECT, CONFIGURED), sent.stream().map(RecordingUnderlay.Sent::to).toList());
        ConReq probe = assertInstanceOf(ConReq.class, sent.get(0).message());
        assertEquals(false, probe.secure());
        assertTrue(probes.sent(probe.nonce()), "an answer to the probe counts");
    }

    @Test
    void aDirectLinkIsNotProbedElsewhere() {
        probes.candidates().learn(List.of(DIRECT), RELAYED, PeerId.of("r"));
        probes.keepaliveSent(ctx, DIRECT, Probes.PROBE_EVERY, false, 0);
        assertEquals(List.of(), wire.drain());
    }

    @Test
    void aForwardedHelloThatVerifiesAddsItsCandidates() {
        ConReq forwarded = hello(null, List.of(DIRECT.toString()));
        assertInstanceOf(HelloCheck.Accepted.class, probes.signaled(ctx, forwarded, 0));
        assertEquals(List.of(DIRECT), link.candidates());
        assertEquals(List.of(), wire.drain(), "nothing is sent: the session decides what to probe");
    }

    @Test
    void aForwardedHelloThatDoesNotVerifyIsCountedAndAddsNothing() {
        ConReq misaddressed = hello("c", List.of(DIRECT.toString()));
        assertInstanceOf(HelloCheck.Rejected.class, probes.signaled(ctx, misaddressed, 0));
        assertEquals(1, ctx.counters().drops(SetupDrop.HELLO_MISADDRESSED));
        assertEquals(List.of(), link.candidates());
        assertEquals(List.of(), wire.drain(), "no con_rej: the sender is at no address of ours yet");
    }

    @Test
    void anAnswerEchoesTheRequestAndStatesTheDecision() {
        probes.answer(ctx, "n-b", true, DIRECT);
        List<RecordingUnderlay.Sent> sent = wire.drain();
        assertEquals(1, sent.size());
        ConResp resp = assertInstanceOf(ConResp.class, sent.get(0).message());
        assertEquals(DIRECT, sent.get(0).to());
        assertEquals("n-b", resp.echo());
        assertEquals(true, resp.secure());
        assertEquals(0x1234, resp.index());
    }

    // ---- openers first (docs/nat.md, "The NAT matrix") --------------------------------------------------------

    /** A rendezvous that forwards to any peer, recording what it was asked to forward. */
    private final List<String> forwarded = new java.util.ArrayList<>();
    private final Signaling rendezvous = new Signaling() {
        @Override
        public void forward(PeerId peer, java.util.function.Supplier<? extends ControlMessage.Hello> hello) {
            forwarded.add(peer + ":" + (hello.get() instanceof ConReq ? "con_req" : "con_resp"));
        }

        @Override
        public boolean canForward(PeerId peer) {
            return true;
        }
    };

    @Test
    void withARendezvousCandidatesGetOnlyOpenersUntilThePeerSignals() {
        RecordingUnderlay ttlWire = new RecordingUnderlay().limitingTtl();
        LinkContext signaling = context(ttlWire, rendezvous);
        probes.candidates().learn(List.of(DIRECT), null, null);
        probes.request(signaling, CONFIGURED, null, 0);
        assertEquals(List.of(CONFIGURED), ttlWire.drain().stream().map(RecordingUnderlay.Sent::to).toList(),
                "in full only to the operator's configured endpoint");
        List<RecordingUnderlay.Limited> openers = ttlWire.drainLimited();
        assertEquals(List.of(DIRECT, DIRECT), openers.stream().map(RecordingUnderlay.Limited::to).toList());
        assertEquals(List.of(2, 3), openers.stream().map(RecordingUnderlay.Limited::ttl).toList());
        ConReq opener = assertInstanceOf(ConReq.class, openers.get(0).message());
        assertTrue(probes.sent(opener.nonce()), "an answer to an opener that got through counts");

        // the peer's request through the rendezvous says its NAT is open toward us: probe in full
        long now = 1_000_000_000L;
        assertInstanceOf(HelloCheck.Accepted.class, probes.signaled(signaling, hello(null, List.of(DIRECT.toString())), now));
        probes.request(signaling, CONFIGURED, null, now + 1);
        assertEquals(List.of(CONFIGURED, DIRECT), ttlWire.drain().stream().map(RecordingUnderlay.Sent::to).toList());
        assertEquals(2, ttlWire.drainLimited().size(), "openers still go first");

        // ten seconds later the signal is stale: openers only again
        probes.request(signaling, CONFIGURED, null, now + Probes.ARMED_SECONDS * 1_000_000_000L);
        assertEquals(List.of(CONFIGURED), ttlWire.drain().stream().map(RecordingUnderlay.Sent::to).toList());
    }

    @Test
    void theFirstCandidateARendezvousNamedIsNoOperatorsWordAndGetsOnlyOpeners() {
        RecordingUnderlay ttlWire = new RecordingUnderlay().limitingTtl();
        Probes announced = new Probes(PeerId.of("b"), link, DIRECT, false);       // a session a rendezvous announcement opened
        announced.request(context(ttlWire, rendezvous), DIRECT, null, 0);
        assertEquals(List.of(), ttlWire.drain(), "nothing in full before the peer signals");
        assertEquals(List.of(DIRECT, DIRECT), ttlWire.drainLimited().stream().map(RecordingUnderlay.Limited::to).toList());
    }

    @Test
    void withoutARendezvousOrWithoutTtlControlEveryCandidateIsProbedInFull() {
        probes.candidates().learn(List.of(DIRECT), null, null);
        RecordingUnderlay ttlWire = new RecordingUnderlay().limitingTtl();
        probes.request(context(ttlWire, Signaling.NONE), CONFIGURED, null, 0);
        assertEquals(List.of(CONFIGURED, DIRECT), ttlWire.drain().stream().map(RecordingUnderlay.Sent::to).toList());
        assertEquals(List.of(), ttlWire.drainLimited(), "no rendezvous: no openers, as before");

        RecordingUnderlay plain = new RecordingUnderlay();          // cannot limit a TTL
        probes.request(context(plain, rendezvous), CONFIGURED, null, 0);
        assertEquals(List.of(CONFIGURED, DIRECT), plain.drain().stream().map(RecordingUnderlay.Sent::to).toList());
    }

    @Test
    void aRelaysPortIsAlwaysProbedInFull() {
        RecordingUnderlay ttlWire = new RecordingUnderlay().limitingTtl();
        probes.candidates().learn(List.of(DIRECT), RELAYED, PeerId.of("r"));
        probes.request(context(ttlWire, rendezvous), CONFIGURED, null, 0);
        assertEquals(List.of(CONFIGURED, RELAYED), ttlWire.drain().stream().map(RecordingUnderlay.Sent::to).toList());
        assertEquals(List.of(DIRECT, DIRECT), ttlWire.drainLimited().stream().map(RecordingUnderlay.Limited::to).toList());
    }

    @Test
    void onARelayedLinkAnUnarmedSideOpensThenSignalsThroughTheRendezvous() {
        RecordingUnderlay ttlWire = new RecordingUnderlay().limitingTtl();
        LinkContext signaling = context(ttlWire, rendezvous);
        probes.candidates().learn(List.of(DIRECT), RELAYED, PeerId.of("r"));
        probes.keepaliveSent(signaling, RELAYED, Probes.PROBE_EVERY, false, 0);
        assertEquals(List.of(DIRECT, DIRECT), ttlWire.drainLimited().stream().map(RecordingUnderlay.Limited::to).toList());
        assertEquals(List.of(CONFIGURED), ttlWire.drain().stream().map(RecordingUnderlay.Sent::to).toList());
        assertEquals(List.of("b:con_req"), forwarded);
    }

    @Test
    void anOverlayPathRanksBelowARelayAndIsSentTheRequestInFull() {
        Endpoint overlay = OverlayPaths.endpointOf(PeerId.of("b"));
        probes.candidates().learn(List.of(DIRECT), RELAYED, PeerId.of("r"));
        probes.candidates().learn(List.of(), overlay, null);
        assertEquals(Probes.OVERLAY, probes.rank(ctx, overlay));
        assertTrue(probes.rank(ctx, overlay) < probes.rank(ctx, RELAYED));
        probes.request(ctx, CONFIGURED, null, 0);
        assertTrue(wire.drain().stream().anyMatch(s -> s.to().equals(overlay)), "the overlay path is probed");
    }

    @Test
    void aLinkThatFellBackToItsOverlayPathAsksItsRelayToo() {
        // NatMatrixNetnsIT (symmetric NATs): the overlay fallback answered first; the relay ranks above it
        Endpoint overlay = OverlayPaths.endpointOf(PeerId.of("b"));
        probes.candidates().learn(List.of(), RELAYED, PeerId.of("r"));
        probes.candidates().learn(List.of(), overlay, null);
        probes.keepaliveSent(ctx, overlay, Probes.PROBE_EVERY, false, 0);
        assertTrue(wire.drain().stream().anyMatch(s -> s.to().equals(RELAYED)), "the relay is asked from the overlay path");
        probes.keepaliveSent(ctx, RELAYED, Probes.PROBE_EVERY, false, 0);
        assertTrue(wire.drain().stream().noneMatch(s -> s.to().equals(overlay)), "never back down onto the overlay");
    }

    @Test
    void anOverlaySessionHoldsThePeersDirectCandidatesUntilADirectLinkIsWanted() {
        Endpoint overlay = OverlayPaths.endpointOf(PeerId.of("b"));
        PeerLink onDemand = PeerLink.connecting(PeerId.of("b"), Discovery.OVERLAY, 0x1234, overlay);
        Probes session = new Probes(PeerId.of("b"), onDemand, overlay, false);
        session.candidates().learn(List.of(DIRECT), null, null);       // from the peer's verified hello
        session.request(ctx, overlay, false, 0);
        assertEquals(List.of(overlay), wire.drain().stream().map(RecordingUnderlay.Sent::to).toList());
        session.keepaliveSent(ctx, overlay, Probes.PROBE_EVERY, false, 0);
        assertEquals(List.of(), wire.drain(), "no direct probe: the topology did not ask for this link");
        session.releaseDirect();
        session.keepaliveSent(ctx, overlay, Probes.PROBE_EVERY, false, 0);
        assertEquals(List.of(DIRECT), wire.drain().stream().map(RecordingUnderlay.Sent::to).toList());
    }

    private static ConReq hello(String to, List<String> cands) {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.2/24", "02:00:00:00:00:02",
                List.of("blue"), "fwd-b", 77, System.currentTimeMillis(), null, null, null, to, cands);
    }

    private static LinkContext context(RecordingUnderlay wire) {
        return context(wire, Signaling.NONE);
    }

    private static LinkContext context(RecordingUnderlay wire, Signaling signaling) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        LinkSettings timers = new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofSeconds(2));
        HelloCheck check = new HelloCheck(SELF, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        return new LinkContext(SELF, timers, security, Optional.empty(), new ControlChannel(wire, new ControlCodec()),
                new Hellos(SELF, Optional.empty()), check, null, new DataplaneCounters(), Runnable::run, signaling);
    }
}
