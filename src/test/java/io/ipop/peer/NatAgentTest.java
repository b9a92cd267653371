package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.SetupDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.nat.NatAgent;
import io.ipop.nat.RelayPaths;
import io.ipop.nat.RendezvousSignaling;
import io.ipop.nat.SignalCounters;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.nat.NatSettings;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.AnnouncedPeer;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Fwd;
import io.ipop.wire.ControlMessage.Peers;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link NatAgent} as a node behind NAT: following a rendezvous's announcements and the link setup it
 * passes on, forgetting nodes gone for good; as a rendezvous: passing link setup on.
 */
class NatAgentTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Endpoint RV = Endpoint.parse("198.51.100.10:5800");
    private static final NatSettings NAT = new NatSettings(List.of(), Duration.ofSeconds(20), 200, List.of(), false,
            256, Duration.ofSeconds(2), Duration.ofSeconds(60), false, 64);

    private final Links links = new Links();
    private final RecordingUnderlay wire = new RecordingUnderlay();
    private final DataplaneCounters drops = new DataplaneCounters();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void followsAnnouncementsOnlyFromARendezvousUpLinkAtItsEndpoint() {
        links.add(up(PeerLink.connecting(PeerId.of("rv"), Discovery.STATIC, 1, RV), RV));
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        ActorRef<NatAgent.Command> agent = spawn(directory, NAT.forgetAfter(), List.of("rv"));
        Peers peers = new Peers("rv", true, List.of(new AnnouncedPeer("b", "10.77.0.3/24", List.of("198.51.100.3:5800")),
                new AnnouncedPeer("a", "10.77.0.2/24", List.of("198.51.100.2:5800"))));

        agent.tell(new NatAgent.Received(Endpoint.parse("203.0.113.66:5800"), peers));   // not from rv's endpoint
        directory.expectNoMessage(Duration.ofMillis(200));

        agent.tell(new NatAgent.Received(RV, peers));
        Endpoint b = Endpoint.parse("198.51.100.3:5800");
        assertEquals(new PeerDirectory.PeerFound(PeerId.of("b"), b, Discovery.rendezvous(PeerId.of("rv"))), directory.receiveMessage());
        assertEquals(new PeerDirectory.CandidatesFound(PeerId.of("b"), List.of(b), null, null), directory.receiveMessage());
        directory.expectNoMessage(Duration.ofMillis(200));                // itself ("a") is not followed
    }

    @Test
    void followsLinkSetupPassedOnByItsRendezvousButNeverAtTheRendezvousAddress() {
        links.add(up(PeerLink.connecting(PeerId.of("rv"), Discovery.STATIC, 1, RV), RV));
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        ActorRef<NatAgent.Command> agent = spawn(directory, NAT.forgetAfter(), List.of("rv"));
        ConReq byB = helloOf("b", List.of("198.51.100.3:5800", "203.0.113.10:5800"));

        agent.tell(new NatAgent.Received(RV, Fwd.passedOn("rv", "b", byB)));
        PeerDirectory.PeerFound found = directory.expectMessageClass(PeerDirectory.PeerFound.class);
        assertEquals(new PeerDirectory.PeerFound(PeerId.of("b"), Endpoint.parse("198.51.100.3:5800"), Discovery.rendezvous(PeerId.of("rv"))), found);
        assertEquals(new PeerDirectory.Signaled(PeerId.of("b"), byB, PeerId.of("rv")), directory.receiveMessage());
    }

    @Test
    void takesPassedOnLinkSetupOnlyFromItsRendezvous() {
        Endpoint x = Endpoint.parse("198.51.100.7:5800");
        links.add(up(PeerLink.connecting(PeerId.of("rv"), Discovery.STATIC, 1, RV), RV));
        links.add(up(PeerLink.connecting(PeerId.of("x"), Discovery.INBOUND, 2, x), x));
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        ActorRef<NatAgent.Command> agent = spawn(directory, NAT.forgetAfter(), List.of("rv"));
        ConReq byB = helloOf("b", List.of("198.51.100.3:5800"));

        agent.tell(new NatAgent.Received(x, Fwd.passedOn("x", "b", byB)));            // x is no rendezvous of ours
        agent.tell(new NatAgent.Received(x, Fwd.passedOn("rv", "b", byB)));           // rv's name, not rv's endpoint
        directory.expectNoMessage(Duration.ofMillis(300));
        assertEquals(1, drops.drops(SetupDrop.SIGNAL_REFUSED));
        assertEquals(1, drops.drops(SetupDrop.SIGNAL_NOT_FROM_LINK));
    }

    @Test
    void asARendezvousPassesLinkSetupBetweenItsLinks() {
        Endpoint aAt = Endpoint.parse("198.51.100.2:5800");
        Endpoint bAt = Endpoint.parse("198.51.100.3:5800");
        links.add(up(PeerLink.connecting(PeerId.of("a"), Discovery.INBOUND, 2, aAt), aAt));
        links.add(up(PeerLink.connecting(PeerId.of("b"), Discovery.INBOUND, 3, bAt), bAt));
        NatSettings rendezvous = new NatSettings(List.of(), Duration.ofSeconds(20), 200, List.of(), true, 256,
                Duration.ofHours(1), Duration.ofSeconds(60), false, 64);
        ControlChannel channel = new ControlChannel(wire, new ControlCodec());
        ActorRef<NatAgent.Command> agent = KIT.spawn(NatAgent.create("rv", rendezvous, List.of(), new NatAgent.Ports(links,
                channel, KIT.<PeerDirectory.Command>createTestProbe().getRef(), Optional.empty(), new RelayPaths(),
                new RendezvousSignaling("rv", List.of(), links, channel, drops, new SignalCounters(), System::nanoTime))));
        ConReq byA = helloOf("a", List.of("198.51.100.2:5800"));

        agent.tell(new NatAgent.Received(aAt, Fwd.toward("a", "b", byA)));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<RecordingUnderlay.Sent> sent = new ArrayList<>();
        while (sent.isEmpty() && System.nanoTime() < deadline) {
            sent.addAll(wire.drain());
            Thread.onSpinWait();
        }
        assertEquals(List.of(new RecordingUnderlay.Sent(Fwd.passedOn("rv", "a", byA), bAt)), sent);
    }

    @Test
    void forgetsNodesNotInTheConfigThatStayDown() {
        links.add(PeerLink.connecting(PeerId.of("x"), Discovery.INBOUND, 2, Endpoint.parse("198.51.100.2:40000")));
        links.add(PeerLink.connecting(PeerId.of("y"), Discovery.rendezvous(PeerId.of("rv")), 3, Endpoint.parse("198.51.100.3:5800")));
        links.add(PeerLink.connecting(PeerId.of("s"), Discovery.STATIC, 4, Endpoint.parse("198.51.100.4:5800")));
        links.add(up(PeerLink.connecting(PeerId.of("z"), Discovery.INBOUND, 5, Endpoint.parse("198.51.100.5:5800")),
                Endpoint.parse("198.51.100.5:5800")));
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        spawn(directory, Duration.ZERO, List.of("s"));
        // two ticks' worth: had s or z been forgotten too, it would be among them
        List<String> forgotten = new ArrayList<>();
        for (Object m : directory.receiveSeveralMessages(4, Duration.ofSeconds(5))) {
            forgotten.add(((PeerDirectory.Forget) m).peer().name());
        }
        assertEquals(List.of("x", "x", "y", "y"), forgotten.stream().sorted().toList(), "down, and not static: " + forgotten);
    }

    private ActorRef<NatAgent.Command> spawn(TestProbe<PeerDirectory.Command> directory, Duration forgetAfter,
                                             List<String> staticPeers) {
        ControlChannel channel = new ControlChannel(wire, new ControlCodec());
        return KIT.spawn(NatAgent.create("a", NAT.withForgetAfter(forgetAfter), staticPeers.stream().map(PeerId::of).toList(), new NatAgent.Ports(links, channel,
                directory.getRef(), Optional.empty(), new RelayPaths(), new RendezvousSignaling("a", List.of(), links, channel,
                drops, new SignalCounters(), System::nanoTime))));
    }

    private static ConReq helloOf(String node, List<String> cands) {
        return new ConReq(1, node, "i-" + node, "10.77.0.3/24", "02:00:00:00:00:0b", List.of(), "n-" + node, 7, 1, null,
                null, null, node.equals("a") ? "b" : "a", cands);
    }

    private static PeerLink up(PeerLink link, Endpoint at) {
        return LinkFixtures.up(link, at, List.of());
    }
}
