package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.dataplane.ControlSink;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MemberGate}: which {@code con_req}s of members without a session reach the directory as a request. */
class MemberGateTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Endpoint FROM = Endpoint.parse("198.51.100.2:5800");
    @TempDir
    static Path dir;
    private static NodeIdentity a;
    private static NodeIdentity b;
    private static NodeIdentity foreign;

    private final DataplaneCounters counters = new DataplaneCounters();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Set<PeerId> members = ConcurrentHashMap.newKeySet();
    private int passedOn;

    @BeforeAll
    static void pki() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", addr("10.77.0.1/24"), List.of(), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", addr("10.77.0.2/24"), List.of("blue"), Duration.ofDays(1), false);
        a = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key"));
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
    void aMembersVerifiedRequestReachesTheDirectory() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        members.add(PeerId.of("b"));
        assertTrue(gate(directory).control(FROM, hello(b)));
        PeerDirectory.LinkRequested r = assertInstanceOf(PeerDirectory.LinkRequested.class, directory.receiveMessage());
        assertEquals(PeerId.of("b"), r.request().sender());
        assertEquals(FROM, r.from());
        assertEquals(0, passedOn);
    }

    @Test
    void aRequestInAMembersNameWithoutItsCertificateIsRefusedAndCounted() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        members.add(PeerId.of("b"));
        assertTrue(gate(directory).control(FROM, hello(foreign)));
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(1, counters.drops(DataDrop.TOPOLOGY_REFUSED));
    }

    @Test
    void aNonMembersRequestGoesOnToNatTraversal() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        assertFalse(gate(directory).control(FROM, hello(b)));
        assertEquals(1, passedOn);
        directory.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void admissionsAreRateLimitedBeforeAnyCertificateCheck() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        members.add(PeerId.of("b"));
        MemberGate gate = gate(directory);
        for (int i = 0; i < 2 * MemberGate.RATE + 10; i++) {
            gate.control(FROM, hello(foreign));
        }
        assertEquals(2 * MemberGate.RATE + 10, counters.drops(DataDrop.TOPOLOGY_REFUSED));
        gate.control(FROM, hello(b));                       // over the burst: refused though valid
        directory.expectNoMessage(Duration.ofMillis(100));
        nanos.addAndGet(1_000_000_000L);
        gate.control(FROM, hello(b));
        assertInstanceOf(PeerDirectory.LinkRequested.class, directory.receiveMessage());
    }

    private MemberGate gate(TestProbe<PeerDirectory.Command> directory) {
        LocalNode self = node("a", "10.77.0.1/24", List.of());
        HelloCheck check = new HelloCheck(self, Optional.of(a), true, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        ControlSink next = new ControlSink() {
            @Override
            public boolean control(Endpoint from, io.ipop.wire.ControlMessage message) {
                passedOn++;
                return false;
            }

            @Override
            public boolean dtls(Endpoint from, int localIndex, byte[] record) {
                return false;
            }
        };
        return new MemberGate(PeerId.of("a"), members, check, directory.getRef(), counters, nanos::get, next);
    }

    private static ConReq hello(NodeIdentity signer) {
        return new Hellos(node("b", "10.77.0.2/24", List.of("blue")), Optional.of(signer)).request(PeerId.of("a"), 7, null);
    }

    private static LocalNode node(String name, String ip, List<String> groups) {
        return new LocalNode(name, name + "-instance", addr(ip), MacAddress.derivedFrom(name), groups,
                Endpoint.of(InetAddress.getLoopbackAddress(), 5800), Instant.now());
    }

    private static OverlayAddress addr(String s) {
        return OverlayAddress.parse(s, true);
    }
}
