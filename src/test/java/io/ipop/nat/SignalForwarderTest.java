package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.Drop;
import io.ipop.counters.DropCounters;
import io.ipop.counters.SetupDrop;
import io.ipop.peer.ControlChannel;
import io.ipop.peer.Discovery;
import io.ipop.peer.LinkFixtures;
import io.ipop.peer.PeerLink;
import io.ipop.peer.RecordingUnderlay;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Fwd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rendezvous's rules for passing link setup on (docs/nat.md): unchanged to the target's up link,
 * and every refusal in its own counter — not from an up link, not a rendezvous, unknown target, target
 * not linked, over the sender's budget, too large once passed on.
 */
class SignalForwarderTest {
    private static final Endpoint A_AT = Endpoint.parse("198.51.100.2:5800");
    private static final Endpoint B_AT = Endpoint.parse("198.51.100.3:5800");

    private final RecordingUnderlay wire = new RecordingUnderlay();
    private final DropCounters drops = new DropCounters();
    private final SignalCounters counters = new SignalCounters();
    private long now = 1_000_000_000L;
    private final PeerLink a = LinkFixtures.up("a", Discovery.INBOUND, 2, A_AT, List.of());
    private final PeerLink b = LinkFixtures.up("b", Discovery.INBOUND, 3, B_AT, List.of());

    @Test
    void passesTheHelloUnchangedToTheTargetsLinkEndpoint() {
        ConReq req = request("a", "b", null);
        forwarder("rv", true, a, b).forward(a, Fwd.toward("a", "b", req));
        List<RecordingUnderlay.Sent> sent = wire.drain();
        assertEquals(List.of(new RecordingUnderlay.Sent(Fwd.passedOn("rv", "a", req), B_AT)), sent);
        assertEquals(1, counters.view().forwarded());
        assertEquals(0, totalDrops());
    }

    @Test
    void refusesWhatDoesNotComeOverAnUpLink() {
        forwarder("rv", true, a, b).forward(null, Fwd.toward("a", "b", request("a", "b", null)));
        assertRefused(SetupDrop.SIGNAL_NOT_FROM_LINK);
    }

    @Test
    void aNodeThatIsNoRendezvousPassesNothingOn() {
        forwarder("rv", false, a, b).forward(a, Fwd.toward("a", "b", request("a", "b", null)));
        assertRefused(SetupDrop.SIGNAL_REFUSED);
    }

    @Test
    void unknownTargetsAreCounted() {
        SignalForwarder f = forwarder("rv", true, a, b);
        f.forward(a, Fwd.toward("a", "c", request("a", "c", null)));     // no link with c
        f.forward(a, Fwd.toward("a", "a", request("a", "a", null)));     // back to the sender
        f.forward(a, Fwd.toward("a", "rv", request("a", "rv", null)));   // to the rendezvous itself
        assertEquals(3, drops.drops(SetupDrop.SIGNAL_UNKNOWN_TARGET));
        assertTrue(wire.drain().isEmpty());
        assertEquals(0, counters.view().forwarded());
    }

    @Test
    void aTargetWhoseLinkIsNotUpIsCounted() {
        PeerLink c = LinkFixtures.connecting("c", Discovery.INBOUND, 4, Endpoint.parse("198.51.100.4:5800"));
        forwarder("rv", true, a, b, c).forward(a, Fwd.toward("a", "c", request("a", "c", null)));
        assertRefused(SetupDrop.SIGNAL_TARGET_NOT_LINKED);
    }

    @Test
    void eachSenderHasItsOwnBudget() {
        PeerLink c = LinkFixtures.up("c", Discovery.INBOUND, 4, Endpoint.parse("198.51.100.4:5800"), List.of());
        SignalForwarder f = forwarder("rv", true, a, b, c);
        for (int i = 0; i < SignalForwarder.BURST + 5; i++) {
            f.forward(a, Fwd.toward("a", "b", request("a", "b", null)));
        }
        assertEquals(SignalForwarder.BURST, counters.view().forwarded());
        assertEquals(5, drops.drops(SetupDrop.SIGNAL_OVER_BUDGET));
        f.forward(c, Fwd.toward("c", "b", request("c", "b", null)));        // another sender is not held back
        assertEquals(SignalForwarder.BURST + 1, counters.view().forwarded());
        now += 1_000_000_000L;                                               // a second later: RATE more
        for (int i = 0; i < SignalForwarder.RATE + 1; i++) {
            f.forward(a, Fwd.toward("a", "b", request("a", "b", null)));
        }
        assertEquals(SignalForwarder.BURST + 1 + SignalForwarder.RATE, counters.view().forwarded());
        assertEquals(6, drops.drops(SetupDrop.SIGNAL_OVER_BUDGET));
    }

    @Test
    void aHelloTooLargeOncePassedOnIsCounted() {
        // "node":"a","to":"b" from a; "node":"<64 chars>","from":"a" from the rendezvous: 65 bytes more
        String rv = "r".repeat(64);
        ControlCodec codec = new ControlCodec();
        int base = codec.encode(Fwd.toward("a", "b", request("a", "b", "A"))).length;
        ConReq big = request("a", "b", "A".repeat(1 + ControlCodec.MAX_CONTROL_FRAME - base - 30));
        assertTrue(codec.encode(Fwd.toward("a", "b", big)).length <= ControlCodec.MAX_CONTROL_FRAME);
        forwarder(rv, true, a, b).forward(a, Fwd.toward("a", "b", big));
        assertRefused(SetupDrop.SIGNAL_TOO_LARGE);
    }

    private void assertRefused(Drop why) {
        assertEquals(1, drops.drops(why), why.counter());
        assertEquals(1, totalDrops(), "only " + why.counter());
        assertTrue(wire.drain().isEmpty(), "nothing passed on");
        assertEquals(0, counters.view().forwarded());
    }

    private long totalDrops() {
        long n = 0;
        for (Drop d : Drop.all()) {
            n += drops.drops(d);
        }
        return n;
    }

    private SignalForwarder forwarder(String self, boolean rendezvous, PeerLink... links) {
        return new SignalForwarder(self, rendezvous, LinkFixtures.links(links), new ControlChannel(wire, new ControlCodec()),
                drops, counters, () -> now);
    }

    static ConReq request(String node, String to, String cert) {
        return new ConReq(1, node, "i-" + node, "10.77.0.2/24", "02:00:00:00:00:0a", List.of(), "n-" + node, 7, 1, null,
                cert, cert == null ? null : "c2ln", to, List.of("198.51.100.2:5800", "192.0.2.10:5800"));
    }
}
