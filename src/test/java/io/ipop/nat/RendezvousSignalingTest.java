package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DropCounters;
import io.ipop.counters.SetupDrop;
import io.ipop.peer.ControlChannel;
import io.ipop.peer.Discovery;
import io.ipop.peer.LinkFixtures;
import io.ipop.peer.Links;
import io.ipop.peer.PeerLink;
import io.ipop.peer.RecordingUnderlay;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Fwd;
import io.ipop.wire.PeerId;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A node's side of link setup through a rendezvous (docs/nat.md): what it sends through which
 * rendezvous, and which passed-on hellos it takes.
 */
class RendezvousSignalingTest {
    private static final Endpoint RV = Endpoint.parse("198.51.100.10:5800");
    private static final Endpoint RV2 = Endpoint.parse("198.51.100.11:5800");

    private final RecordingUnderlay wire = new RecordingUnderlay();
    private final DropCounters drops = new DropCounters();
    private final SignalCounters counters = new SignalCounters();
    private final AtomicInteger built = new AtomicInteger();
    private long now = 1_000_000_000L;

    @Test
    void sendsThroughEachRendezvousThatForwardsAndIsUp() {
        PeerLink rv = LinkFixtures.up("rv", Discovery.STATIC, 1, RV, List.of());
        PeerLink rv2 = LinkFixtures.up("rv2", Discovery.STATIC, 2, RV2, List.of());
        PeerLink rv3 = LinkFixtures.connecting("rv3", Discovery.STATIC, 3, Endpoint.parse("198.51.100.12:5800"));
        RendezvousSignaling s = signaling(List.of("rv", "rv3"), rv, rv2, rv3);   // rv3 named, but its link is down

        ConReq req = SignalForwarderTest.request("a", "b", null);
        s.forward(PeerId.of("b"), () -> built(req));
        assertEquals(List.of(new RecordingUnderlay.Sent(Fwd.toward("a", "b", req), RV)), wire.drain());

        s.forwards(PeerId.of("rv2"));                              // rv2 announced peers: it forwards too
        s.forward(PeerId.of("b"), () -> built(req));
        assertEquals(2, wire.drain().size());
        assertEquals(2, built.get(), "one hello per call, however many rendezvous");
        assertEquals(3, counters.view().sent());
    }

    @Test
    void neverThroughThePeerItselfAndNoHelloBuiltForNothing() {
        RendezvousSignaling s = signaling(List.of("rv"), LinkFixtures.up("rv", Discovery.STATIC, 1, RV, List.of()));
        s.forward(PeerId.of("rv"), () -> built(SignalForwarderTest.request("a", "rv", null)));
        RendezvousSignaling none = signaling(List.of(), LinkFixtures.up("rv", Discovery.STATIC, 1, RV, List.of()));
        none.forward(PeerId.of("b"), () -> built(SignalForwarderTest.request("a", "b", null)));   // rv never announced
        assertTrue(wire.drain().isEmpty());
        assertEquals(0, built.get(), "no signature is spent when nothing is sent");
    }

    @Test
    void takesAPassedOnHelloOnlyFromARendezvousUpLink() {
        PeerLink rv = LinkFixtures.up("rv", Discovery.STATIC, 1, RV, List.of());
        RendezvousSignaling s = signaling(List.of(), rv);
        ConReq byB = SignalForwarderTest.request("b", "a", null);
        Fwd fwd = Fwd.passedOn("rv", "b", byB);

        assertNull(s.receive(null, true, true, fwd));
        assertEquals(1, drops.drops(SetupDrop.SIGNAL_NOT_FROM_LINK));
        assertNull(s.receive(rv, false, true, fwd), "rv is not this node's rendezvous");
        assertNull(s.receive(rv, true, false, fwd), "b cannot be followed");
        assertNull(s.receive(rv, true, true, Fwd.passedOn("rv", "a", SignalForwarderTest.request("a", "b", null))),
                "its own hello back");
        assertEquals(3, drops.drops(SetupDrop.SIGNAL_REFUSED));
        assertEquals(0, counters.view().received());

        assertSame(byB, s.receive(rv, true, true, fwd));
        assertEquals(1, counters.view().received());
    }

    @Test
    void passedOnHellosHaveABudgetPerRendezvous() {
        PeerLink rv = LinkFixtures.up("rv", Discovery.STATIC, 1, RV, List.of());
        RendezvousSignaling s = signaling(List.of(), rv);
        Fwd fwd = Fwd.passedOn("rv", "b", SignalForwarderTest.request("b", "a", null));
        int taken = 0;
        for (int i = 0; i < RendezvousSignaling.BURST + 3; i++) {
            taken += s.receive(rv, true, true, fwd) == null ? 0 : 1;
        }
        assertEquals(RendezvousSignaling.BURST, taken);
        assertEquals(3, drops.drops(SetupDrop.SIGNAL_OVER_BUDGET));
        now += 1_000_000_000L;
        assertSame(fwd.msg(), s.receive(rv, true, true, fwd), "refilled a second later");
    }

    private ConReq built(ConReq req) {
        built.incrementAndGet();
        return req;
    }

    private RendezvousSignaling signaling(List<String> named, PeerLink... links) {
        Links all = LinkFixtures.links(links);
        return new RendezvousSignaling("a", named.stream().map(PeerId::of).toList(), all, new ControlChannel(wire, new ControlCodec()), drops, counters,
                () -> now);
    }
}
