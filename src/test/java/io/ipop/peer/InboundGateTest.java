package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.nat.InboundGate;
import io.ipop.nat.NatAgent;
import io.ipop.nat.NatSettings;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.RelayReq;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InboundGate}: which con_reqs from nodes not in the peer list get a session on a rendezvous —
 * only CA-checked ones, within a rate and a maximum number of inbound links.
 */
class InboundGateTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Endpoint FROM = Endpoint.parse("198.51.100.2:5800");
    @TempDir
    static Path dir;
    private static NodeIdentity rv;
    private static NodeIdentity b;
    private static NodeIdentity foreign;

    private final Links links = new Links();
    private final DataplaneCounters counters = new DataplaneCounters();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<NatAgent.Command> toAgent = new ArrayList<>();

    @BeforeAll
    static void pki() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "rv", addr("10.77.0.1/24"), List.of(), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", addr("10.77.0.2/24"), List.of("blue"), Duration.ofDays(1), false);
        rv = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("rv.crt"), pki.resolve("rv.key"));
        b = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("b.crt"), pki.resolve("b.key"));
        Path other = dir.resolve("other");
        OverlayCa.init(other, false);
        OverlayCa.sign(other, "b", addr("10.77.0.2/24"), List.of("blue"), Duration.ofDays(1), false);
        foreign = NodeIdentityLoader.load(other.resolve("ca.crt"), other.resolve("b.crt"), other.resolve("b.key"));
    }

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void aCaSignedHelloGetsASessionAndTheHelloFollows() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        ConReq req = hello(b);
        assertTrue(gate(true, 10, directory).control(FROM, req));
        assertEquals(new PeerDirectory.PeerFound(PeerId.of("b"), FROM, Discovery.INBOUND), directory.receiveMessage());
        assertEquals(new PeerDirectory.ControlReceived(FROM, req), directory.receiveMessage());
        assertEquals(0, counters.drops(DataDrop.INBOUND_REFUSED));
    }

    @Test
    void aHelloFromAnotherCaIsRefusedAndCounted() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        assertTrue(gate(true, 10, directory).control(FROM, hello(foreign)));
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(1, counters.drops(DataDrop.INBOUND_REFUSED));
    }

    @Test
    void aHelloInThisNodesOwnNameIsRefused() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        ConReq mine = new Hellos(node("rv", "10.77.0.1/24", List.of()), Optional.of(rv)).request(PeerId.of("rv"), 7, null);
        assertTrue(gate(true, 10, directory).control(FROM, mine));
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(1, counters.drops(DataDrop.INBOUND_REFUSED));
    }

    @Test
    void withoutAcceptInboundUnknownNodesStayUnknown() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        assertFalse(gate(false, 10, directory).control(FROM, hello(b)), "counted as unknown_peer by the caller");
        directory.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void atMostMaxInboundLinks() {
        links.add(PeerLink.connecting(PeerId.of("c"), Discovery.INBOUND, 11, FROM));
        links.add(PeerLink.connecting(PeerId.of("d"), Discovery.STATIC, 12, FROM));  // a static peer does not count
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        InboundGate gate = gate(true, 1, directory);
        assertEquals(1, gate.inboundLinks());
        gate.control(FROM, hello(b));
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(1, counters.drops(DataDrop.INBOUND_REFUSED));
    }

    @Test
    void admissionsAreRateLimited() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        InboundGate gate = gate(true, 1000, directory);
        for (int i = 0; i < 100; i++) {
            gate.control(FROM, hello(foreign));            // each would cost a certificate check
        }
        long refused = counters.drops(DataDrop.INBOUND_REFUSED);
        assertEquals(100, refused);
        // only the burst was checked; the rest was refused before any work: a good hello now waits for tokens
        gate.control(FROM, hello(b));
        directory.expectNoMessage(Duration.ofMillis(100));
        nanos.addAndGet(1_000_000_000L);
        gate.control(FROM, hello(b));
        assertInstanceOf(PeerDirectory.PeerFound.class, directory.receiveMessage());
    }

    @Test
    void natMessagesOfKnownPeersGoToTheAgentOthersNowhere() {
        links.add(PeerLink.connecting(PeerId.of("b"), Discovery.INBOUND, 13, FROM));
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        InboundGate gate = gate(true, 10, directory);
        assertTrue(gate.control(FROM, new RelayReq("b", "c")));
        assertFalse(gate.control(FROM, new RelayReq("x", "c")));
        assertEquals(List.of(new NatAgent.Received(FROM, new RelayReq("b", "c"))), toAgent);
    }

    private InboundGate gate(boolean accept, int max, TestProbe<PeerDirectory.Command> directory) {
        LocalNode self = node("rv", "10.77.0.1/24", List.of());
        HelloCheck check = new HelloCheck(self, Optional.of(rv), true, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        NatSettings nat = new NatSettings(List.of(), Duration.ofSeconds(20), 200, List.of(), accept, max, Duration.ofSeconds(2),
                Duration.ofSeconds(5), false, 64);
        return new InboundGate("rv", nat, check, links, directory.getRef(), toAgent::add, counters, nanos::get);
    }

    private static ConReq hello(NodeIdentity signer) {
        return new Hellos(node("b", "10.77.0.2/24", List.of("blue")), Optional.of(signer)).request(PeerId.of("rv"), 7, null);
    }

    private static LocalNode node(String name, String ip, List<String> groups) {
        return new LocalNode(name, name + "-instance", addr(ip), MacAddress.derivedFrom(name), groups,
                Endpoint.of(InetAddress.getLoopbackAddress(), 5800), Instant.now());
    }

    private static OverlayAddress addr(String s) {
        return OverlayAddress.parse(s, true);
    }
}
