package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NonceCache;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Ping;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two nodes behind one NAT that hairpins (docs/nat.md, case (f)), on a virtual clock: a is 192.0.2.10:5800 and b
 * 192.0.2.11:5801 on the LAN, both 198.51.102.2 to the world. b's public endpoint reaches b through the NAT's
 * hairpin, but what a sends there arrives from the router's LAN address, not from where b sends to: only the LAN
 * path is the same address both ways. So an up link ranks the paths the peer named above one through this node's
 * own public address, and moves up to the LAN path when it answers (never back while it works).
 */
class HairpinPathTest {
    private static final Endpoint B_PUBLIC = Endpoint.parse("198.51.102.2:5801");
    private static final Endpoint B_LAN = Endpoint.parse("192.0.2.11:5801");
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of("blue"), Endpoint.parse("192.0.2.10:5800"), Instant.now());
    private static final SecurityDecision PLAIN = new SecurityDecision(false, "mode:never");

    private final DataplaneCounters counters = new DataplaneCounters();
    private final PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x1234, B_PUBLIC);
    private final VirtualLink v = new VirtualLink(context(), B_PUBLIC, link, verified -> PLAIN);
    /** The nonce of the request the hairpin path answered. */
    private String hairpinNonce;

    @Test
    void anUpLinkOnTheHairpinProbesThePeersLanAddressAndMovesThereWhenItAnswers() {
        upOnTheHairpin();
        ConReq probe = requestTo(B_LAN);                // sent as the link came up: a better path may answer
        v.feed(new LinkEvent.Control(B_LAN, LinkMachineTest.conResp("instance-b", 77, probe.nonce())));
        assertEquals(B_LAN, link.snapshot().endpoint(), "the LAN path answered: the link moves up to it");
        assertEquals(B_LAN, v.routes.get(v.routes.size() - 1).endpoint());
        assertEquals(LinkState.UP, link.snapshot().state());

        v.feed(new LinkEvent.Control(B_PUBLIC, LinkMachineTest.conResp("instance-b", 77, hairpinNonce)));
        assertEquals(B_LAN, link.snapshot().endpoint(), "never back down to the hairpin while the LAN path works");
        v.sent.clear();
        for (int i = 0; i < 8; i++) {
            link.counters().heard();                    // the peer keeps talking on the LAN path
            v.advance(Duration.ofSeconds(1));
        }
        assertEquals(LinkState.UP, link.snapshot().state());
        assertTrue(v.sent.stream().noneMatch(s -> s.message() instanceof ConReq),
                "on the best path: no more probes " + v.sent);
    }

    @Test
    void aPingFromThePeersLanAddressWhileOnTheHairpinEarnsItAChallengeAndTheLinkMovesWhenItAnswers() {
        upOnTheHairpin();
        v.sent.clear();
        v.feed(new LinkEvent.Control(B_LAN, new Ping("b", 1, 0)));   // b keeps its link on a's LAN address
        assertEquals(1, counters.drops(SetupDrop.WRONG_ADDRESS), "not answered: still not the link's endpoint");
        ConReq challenge = requestTo(B_LAN);
        v.feed(new LinkEvent.Control(B_LAN, LinkMachineTest.conResp("instance-b", 77, challenge.nonce())));
        assertEquals(B_LAN, link.snapshot().endpoint());
    }

    @Test
    void aPingFromAnAddressThePeerNeverNamedEarnsNoChallenge() {
        upOnTheHairpin();
        v.sent.clear();
        v.feed(new LinkEvent.Control(Endpoint.parse("192.0.2.9:40000"), new Ping("b", 1, 0)));
        assertEquals(1, counters.drops(SetupDrop.WRONG_ADDRESS));
        assertTrue(v.sent.isEmpty(), "a spoofed ping makes this node send nothing: " + v.sent);
        assertEquals(B_PUBLIC, link.snapshot().endpoint());
    }

    /** b's public endpoint answers first: the link comes up on the hairpin. */
    private void upOnTheHairpin() {
        v.feed(new LinkEvent.CandidatesLearned(List.of(B_PUBLIC, B_LAN), null, null));
        v.feed(LinkEvent.Start.INSTANCE);
        ConReq toPublic = requestTo(B_PUBLIC);
        hairpinNonce = toPublic.nonce();
        v.sent.clear();
        v.feed(new LinkEvent.Control(B_PUBLIC, LinkMachineTest.conResp("instance-b", 77, toPublic.nonce())));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(B_PUBLIC, link.snapshot().endpoint());
    }

    /** The last con_req sent to {@code to}. */
    private ConReq requestTo(Endpoint to) {
        return (ConReq) v.sent.stream().filter(s -> s.to().equals(to) && s.message() instanceof ConReq)
                .reduce((x, y) -> y).orElseThrow(() -> new AssertionError("no con_req to " + to + ": " + v.sent))
                .message();
    }

    /** a's own hellos name its public endpoint and its LAN one, as {@code nat.LocalCandidates} would. */
    private LinkContext context() {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        HelloCheck check = new HelloCheck(SELF, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        return new LinkContext(SELF, LinkMachineTest.TIMERS, security, Optional.empty(),
                new ControlChannel(new RecordingUnderlay(), new ControlCodec()),
                new Hellos(SELF, Optional.empty(), () -> List.of("198.51.102.2:5800", "192.0.2.10:5800")),
                check, null, counters, null);
    }
}
