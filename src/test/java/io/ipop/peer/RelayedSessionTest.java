package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A session's NAT-traversal candidates (docs/nat.md): it probes every candidate, comes up on the first
 * that answers (here the relay), keeps probing the direct ones, and moves the link to a direct path once
 * a probe there is answered. Link setup through a rendezvous: a seeking session sends its con_req through
 * it too; a hello passed on by a rendezvous only adds candidates and starts probing, is answered through
 * the rendezvous, and never becomes the link's endpoint.
 */
class RelayedSessionTest {
    private static final ActorTestKit KIT = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime TIME = ManualTime.get(KIT.system());
    private static final Endpoint ANNOUNCED = Endpoint.parse("198.51.100.3:5800");
    private static final Endpoint RELAYED = Endpoint.parse("198.51.100.10:40001");
    private static final Endpoint DIRECT = Endpoint.parse("198.51.100.3:62000");
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.2/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of(), Endpoint.parse("192.0.2.10:5800"), Instant.now());

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void aForwardedHelloAddsCandidatesAndProbesButNeverSetsTheEndpoint() {
        RecordingUnderlay wire = new RecordingUnderlay();
        List<ControlMessage.Hello> signaled = new CopyOnWriteArrayList<>();
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x43, ANNOUNCED);
        ActorRef<PeerSession.Command> session = KIT.spawn(PeerSession.create(context(wire, signaled), PeerId.of("b"), ANNOUNCED, link,
                directory.getRef()));
        awaitSignaled(signaled, ConReq.class);              // seeking: its con_req goes through the rendezvous too
        wire.drain();

        Endpoint host = Endpoint.parse("203.0.113.10:5800");
        ConReq forwarded = new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.3/24",
                "02:00:00:00:00:02", List.of(), "fwd-b", 77, System.currentTimeMillis(), null, null, null, "a",
                List.of(DIRECT.toString(), host.toString()));
        session.tell(new PeerSession.Signaled(forwarded, PeerId.of("rv")));

        List<RecordingUnderlay.Sent> probes = awaitSentTo(wire, host, ConReq.class);
        assertTrue(probes.stream().anyMatch(p -> p.to().equals(DIRECT)), "probes the reflexive candidate: " + probes);
        assertTrue(probes.stream().anyMatch(p -> p.to().equals(host)), "and the host candidate: " + probes);
        ConResp answer = awaitSignaled(signaled, ConResp.class);
        assertEquals("fwd-b", answer.echo(), "the forwarded con_req is answered through the rendezvous");
        assertEquals("b", answer.to());
        assertTrue(link.candidates().containsAll(List.of(DIRECT, host)), link.candidates().toString());

        directory.expectNoMessage(Duration.ofMillis(300));                  // no LinkUp: the link is not up
        assertEquals(LinkState.CONNECTING, link.snapshot().state());
        assertEquals(ANNOUNCED, link.snapshot().endpoint(), "a forwarded hello never fixes the endpoint");
        assertEquals(null, link.snapshot().remote());
        KIT.stop(session, Duration.ofSeconds(3));
    }

    @Test
    void aForwardedHelloThatFailsTheCheckIsCountedAndChangesNothing() {
        RecordingUnderlay wire = new RecordingUnderlay();
        List<ControlMessage.Hello> signaled = new CopyOnWriteArrayList<>();
        LinkContext ctx = context(wire, signaled);
        PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x44, ANNOUNCED);
        ActorRef<PeerSession.Command> session = KIT.spawn(PeerSession.create(ctx, PeerId.of("b"), ANNOUNCED, link,
                KIT.<PeerDirectory.Command>createTestProbe().getRef()));
        awaitSignaled(signaled, ConReq.class);
        ConReq misaddressed = new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.3/24",
                "02:00:00:00:00:02", List.of(), "fwd-c", 77, System.currentTimeMillis(), null, null, null, "c",
                List.of("198.51.100.66:5800"));
        session.tell(new PeerSession.Signaled(misaddressed, PeerId.of("rv")));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ctx.counters().drops(SetupDrop.HELLO_MISADDRESSED) == 0 && System.nanoTime() < deadline) {
            pause();
        }
        assertEquals(1, ctx.counters().drops(SetupDrop.HELLO_MISADDRESSED));
        assertTrue(link.candidates().isEmpty(), "its candidates were not learned: " + link.candidates());
        assertTrue(signaled.stream().noneMatch(h -> h instanceof ConResp), "and it was not answered");
        KIT.stop(session, Duration.ofSeconds(3));
    }

    @Test
    void comesUpThroughTheRelayAndMovesToADirectPathThatAnswers() {
        RecordingUnderlay wire = new RecordingUnderlay();
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x42, ANNOUNCED);
        ActorRef<PeerSession.Command> session = KIT.spawn(PeerSession.create(context(wire), PeerId.of("b"), ANNOUNCED, link,
                directory.getRef()));

        session.tell(new PeerSession.CandidatesLearned(List.of(), RELAYED, PeerId.of("rv")));
        List<RecordingUnderlay.Sent> first = awaitSentTo(wire, RELAYED, ConReq.class);
        assertTrue(first.stream().anyMatch(s -> s.to().equals(RELAYED)), "con_req probes the relayed candidate at once: " + first);

        ConReq toRelay = first.stream().filter(s -> s.to().equals(RELAYED) && s.message() instanceof ConReq)
                .map(s -> (ConReq) s.message()).findFirst().orElseThrow();
        session.tell(new PeerSession.ControlReceived(RELAYED, conReq()));  // the peer's con_req came through the relay
        directory.expectNoMessage(Duration.ofMillis(200));                 // an address not proven yet: no link
        session.tell(new PeerSession.ControlReceived(RELAYED, conResp(toRelay.nonce())));  // its answer to ours, from there
        assertEquals(RELAYED, directory.expectMessageClass(PeerDirectory.LinkUp.class).route().endpoint());
        assertTrue(link.snapshot().reason().contains("relayed: no direct path answered"),
                "a relayed link says why it is relayed: " + link.snapshot().reason());

        session.tell(new PeerSession.CandidatesLearned(List.of(DIRECT), null, null));
        wire.drain();
        TIME.timePasses(Duration.ofSeconds(4));                              // four keepalives: one direct probe
        ConReq probe = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (probe == null && System.nanoTime() < deadline) {
            for (RecordingUnderlay.Sent s : wire.drain()) {
                if (s.to().equals(DIRECT) && s.message() instanceof ConReq r) {
                    probe = r;
                }
            }
            pause();
        }
        assertTrue(probe != null, "the relayed link probes the direct candidate");

        session.tell(new PeerSession.ControlReceived(DIRECT, conResp(probe.nonce())));
        PeerDirectory.LinkUp moved = directory.expectMessageClass(PeerDirectory.LinkUp.class);
        assertEquals(DIRECT, moved.route().endpoint());
        assertEquals(0x42, moved.route().localIndex());
        assertEquals(77, moved.route().remoteIndex(), "same link, same indexes: only the path changed");
        assertEquals(DIRECT, link.snapshot().endpoint());
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals("moved from relay to direct path", link.snapshot().reason());
        KIT.stop(session, Duration.ofSeconds(3));
    }

    /**
     * The owner of a direct candidate (or an on-path observer) re-sends the peer's probe from its own address:
     * a relayed link answers it but does not move there until that address answers a challenge.
     */
    @Test
    void aRelayedLinkDoesNotMoveToAnAddressThatOnlyRepeatsAProbe() {
        RecordingUnderlay wire = new RecordingUnderlay();
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x45, ANNOUNCED);
        LinkContext ctx = context(wire);
        ActorRef<PeerSession.Command> session = KIT.spawn(PeerSession.create(ctx, PeerId.of("b"), ANNOUNCED, link,
                directory.getRef()));
        session.tell(new PeerSession.CandidatesLearned(List.of(), RELAYED, PeerId.of("rv")));
        ConReq toRelay = awaitSentTo(wire, RELAYED, ConReq.class).stream()
                .filter(s -> s.to().equals(RELAYED) && s.message() instanceof ConReq).map(s -> (ConReq) s.message())
                .findFirst().orElseThrow();
        session.tell(new PeerSession.ControlReceived(RELAYED, conReq()));
        session.tell(new PeerSession.ControlReceived(RELAYED, conResp(toRelay.nonce())));
        assertEquals(RELAYED, directory.expectMessageClass(PeerDirectory.LinkUp.class).route().endpoint());
        wire.drain();

        Endpoint attacker = Endpoint.parse("198.51.100.66:5800");
        session.tell(new PeerSession.ControlReceived(attacker, conReq()));   // the peer's probe, re-sent by x
        directory.expectNoMessage(Duration.ofMillis(300));
        assertEquals(RELAYED, link.snapshot().endpoint(), "the link stays on the relay");
        List<RecordingUnderlay.Sent> sent = awaitSentTo(wire, attacker, ConReq.class);
        assertTrue(sent.stream().anyMatch(s -> s.to().equals(attacker) && s.message() instanceof ConReq),
                "the address is challenged: " + sent);
        KIT.stop(session, Duration.ofSeconds(3));
    }

    /** What the session sent until it sent a {@code type} to {@code to}, or for 3 s. */
    private static List<RecordingUnderlay.Sent> awaitSentTo(RecordingUnderlay wire, Endpoint to,
                                                            Class<? extends ControlMessage> type) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<RecordingUnderlay.Sent> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            seen.addAll(wire.drain());
            if (seen.stream().anyMatch(s -> s.to().equals(to) && type.isInstance(s.message()))) {
                break;
            }
            pause();
        }
        return seen;
    }

    /** The first hello of {@code type} the session sent through the rendezvous, waiting up to 10 s. */
    private static <T extends ControlMessage.Hello> T awaitSignaled(List<ControlMessage.Hello> signaled, Class<T> type) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (ControlMessage.Hello h : signaled) {
                if (type.isInstance(h)) {
                    return type.cast(h);
                }
            }
            pause();
        }
        throw new AssertionError("no " + type.getSimpleName() + " through the rendezvous: " + signaled);
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ConReq conReq() {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.3/24", "02:00:00:00:00:02",
                List.of(), "n-b", 77, 0, false, null, null);
    }

    private static ConResp conResp(String echo) {
        return new ConResp(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.3/24", "02:00:00:00:00:02",
                List.of(), "r-b", 77, 0, echo, false, null, null);
    }

    private static LinkContext context(RecordingUnderlay wire) {
        return context(wire, new CopyOnWriteArrayList<>());
    }

    /** {@code signaled} records the hellos the session sends through a rendezvous. */
    private static LinkContext context(RecordingUnderlay wire, List<ControlMessage.Hello> signaled) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        HelloCheck check = new HelloCheck(SELF, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        return new LinkContext(SELF, new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofSeconds(2)), security, Optional.empty(), new ControlChannel(wire, new ControlCodec()),
                new Hellos(SELF, Optional.empty()), check, KIT.spawn(SecurityPolicy.create(security, SELF.groups())),
                new DataplaneCounters(), Runnable::run, (peer, hello) -> signaled.add(hello.get()));
    }
}
