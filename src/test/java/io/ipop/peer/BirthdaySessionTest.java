package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NonceCache;
import io.ipop.underlay.BirthdaySettings;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Hello;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Birthday probing in the link machine (docs/nat.md, "Birthday probing"), on a virtual clock: a link up on the relay
 * between a (this node) and b. As the hard side (behind a symmetric NAT) a opens its sockets toward b's public
 * endpoint and then asks b through the rendezvous, at most once per attempt-interval; as the easy side it guesses
 * ports of b's public address when b's verified request asks, within its own budget, and moves to a guessed port only
 * when the answer echoes the guess's nonce from one of the guessed ports.
 */
class BirthdaySessionTest {
    private static final Endpoint B_PUBLIC = Endpoint.parse("198.51.103.2:5800");
    private static final Endpoint RELAYED = Endpoint.parse("198.51.100.10:40001");
    private static final LocalNode SELF = new LocalNode("a", "instance-a", OverlayAddress.parse("10.77.0.1/24", true),
            MacAddress.parse("02:00:00:00:00:01"), List.of(), Endpoint.parse("192.0.2.10:5800"), Instant.now());
    private static final SecurityDecision PLAIN = new SecurityDecision(false, "mode:never");
    private static final BirthdaySettings SETTINGS = new BirthdaySettings(true, 64, 128, 1000, Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60));

    private final DataplaneCounters counters = new DataplaneCounters();
    private final PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x77, B_PUBLIC);

    @Test
    void theHardSideOpensItsSocketsTowardThePeerThenAsksItThroughTheRendezvousOncePerInterval() {
        VirtualLink v = upOnTheRelay(true);
        keepTalking(v, 5);
        assertEquals(1, v.openedBirthday.size(), "one attempt: " + v.openedBirthday);
        LinkEffect.OpenBirthday open = v.openedBirthday.get(0);
        assertEquals(B_PUBLIC, open.toward(), "toward b's public endpoint");
        List<ConReq> asked = v.forwarded.stream().map(VirtualLink.Sent::message).filter(m -> m instanceof ConReq)
                .map(m -> (ConReq) m).filter(ConReq::asksBirthday).toList();
        assertEquals(1, asked.size(), "then asks b, through the rendezvous: " + v.forwarded);
        keepTalking(v, 20);
        assertEquals(1, v.openedBirthday.size(), "no second attempt within attempt-interval");
        keepTalking(v, 12);
        assertEquals(2, v.openedBirthday.size(), "the next one after it");
    }

    @Test
    void aNodeNotBehindASymmetricNatNeverOpensSockets() {
        VirtualLink v = upOnTheRelay(false);
        keepTalking(v, 40);
        assertTrue(v.openedBirthday.isEmpty(), v.openedBirthday.toString());
    }

    @Test
    void theEasySideGuessesThePeersPortsAndMovesToTheOneThatAnswersTheGuess() {
        VirtualLink v = upOnTheRelay(false);
        v.feed(new LinkEvent.Signaled(asking("198.51.102.2:41000"), PeerId.of("rv")));
        assertEquals(1, v.sprayed.size(), "guesses b's ports: " + v.sprayed);
        LinkEffect.SprayBirthday spray = v.sprayed.get(0);
        assertEquals("198.51.102.2", spray.at().getHostAddress(), "at b's public address");
        assertEquals(SETTINGS.easyGuesses(), Arrays.stream(spray.ports()).distinct().count());
        String nonce = ((ConReq) spray.guess()).nonce();

        Endpoint hit = Endpoint.parse("198.51.102.2:" + spray.ports()[17]);
        v.feed(new LinkEvent.Control(hit, LinkMachineTest.conResp("instance-b", 77, nonce)));
        assertEquals(hit, link.snapshot().endpoint(), "the guess that got through is the link's path");
        assertEquals(LinkState.UP, link.snapshot().state());
        assertTrue(link.snapshot().reason().contains("birthday"), link.snapshot().reason());
    }

    /**
     * The peer's sockets may also be reached by this side's requests to the peer's named candidates: a path at the
     * sprayed address that answers while the peer's sockets may be open was found by birthday probing too; later,
     * it is an ordinary direct path.
     */
    @Test
    void aNamedCandidateThatAnswersDuringTheAttemptCountsAsFoundByBirthdayProbing() {
        VirtualLink v = upOnTheRelay(false);
        Endpoint named = Endpoint.parse("198.51.102.2:41000");
        v.feed(new LinkEvent.Signaled(asking(named.toString()), PeerId.of("rv")));
        ConReq probe = (ConReq) v.sent.stream().filter(x -> x.to().equals(named) && x.message() instanceof ConReq)
                .reduce((x, y) -> y).orElseThrow().message();
        v.feed(new LinkEvent.Control(named, LinkMachineTest.conResp("instance-b", 77, probe.nonce())));
        assertEquals(named, link.snapshot().endpoint());
        assertTrue(link.snapshot().reason().contains("birthday"), link.snapshot().reason());
    }

    @Test
    void aNamedCandidateThatAnswersLongAfterTheAttemptIsAnOrdinaryDirectPath() {
        VirtualLink v = upOnTheRelay(false);
        Endpoint named = Endpoint.parse("198.51.102.2:41000");
        v.feed(new LinkEvent.Signaled(asking(named.toString()), PeerId.of("rv")));
        keepTalking(v, 12);                             // past socket-life
        ConReq probe = (ConReq) v.sent.stream().filter(x -> x.to().equals(named) && x.message() instanceof ConReq)
                .reduce((x, y) -> y).orElseThrow().message();
        v.feed(new LinkEvent.Control(named, LinkMachineTest.conResp("instance-b", 77, probe.nonce())));
        assertEquals(named, link.snapshot().endpoint());
        assertEquals("moved from relay to direct path", link.snapshot().reason());
    }

    /** Path validation: an answer from a port that was not guessed, or echoing another nonce, moves nothing. */
    @Test
    void anAnswerFromAPortThatWasNotGuessedOrWithAnotherNonceMovesNothing() {
        VirtualLink v = upOnTheRelay(false);
        v.feed(new LinkEvent.Signaled(asking("198.51.102.2:41000"), PeerId.of("rv")));
        LinkEffect.SprayBirthday spray = v.sprayed.get(0);
        String nonce = ((ConReq) spray.guess()).nonce();
        int notGuessed = 1024;
        while (contains(spray.ports(), notGuessed)) {
            notGuessed++;
        }
        v.feed(new LinkEvent.Control(Endpoint.parse("198.51.102.2:" + notGuessed),
                LinkMachineTest.conResp("instance-b", 77, nonce)));
        v.feed(new LinkEvent.Control(Endpoint.parse("198.51.100.99:" + spray.ports()[0]),
                LinkMachineTest.conResp("instance-b", 77, nonce)));
        v.feed(new LinkEvent.Control(Endpoint.parse("198.51.102.2:" + spray.ports()[0]),
                LinkMachineTest.conResp("instance-b", 77, "not-our-nonce")));
        assertEquals(RELAYED, link.snapshot().endpoint(), "still on the relay");
    }

    @Test
    void theEasySideFollowsOneRequestPerIntervalAndNoneWhenItIsBehindASymmetricNatItself() {
        VirtualLink v = upOnTheRelay(false);
        v.feed(new LinkEvent.Signaled(asking("198.51.102.2:41000"), PeerId.of("rv")));
        v.advance(Duration.ofSeconds(1));
        link.counters().heard();
        v.feed(new LinkEvent.Signaled(asking("198.51.102.2:41001"), PeerId.of("rv")));
        assertEquals(1, v.sprayed.size(), "the pair's budget: one spray per attempt-interval");
        assertEquals(1, counters.drops(SetupDrop.BIRTHDAY_DECLINED));

        VirtualLink hard = new VirtualLink(context(true), B_PUBLIC,
                PeerLink.connecting(PeerId.of("b"), Discovery.rendezvous(PeerId.of("rv")), 0x78, B_PUBLIC), verified -> PLAIN);
        hard.feed(LinkEvent.Start.INSTANCE);
        hard.feed(new LinkEvent.Signaled(asking("198.51.102.2:41000"), PeerId.of("rv")));
        assertTrue(hard.sprayed.isEmpty(), "behind a symmetric NAT itself, guessing cannot work");
        assertEquals(2, counters.drops(SetupDrop.BIRTHDAY_DECLINED));
    }

    /** The extra socket that carries a link closes when the link goes down (or moves), not only when idle. */
    @Test
    void aLinkOverAnExtraSocketReleasesItWhenItGoesDown() {
        LinkContext ctx = context(true, new ControlChannel(new CarriedUnderlay(B_PUBLIC), new ControlCodec()));
        VirtualLink v = new VirtualLink(ctx, B_PUBLIC, link, verified -> PLAIN);
        v.feed(LinkEvent.Start.INSTANCE);
        ConReq toB = (ConReq) v.sent.stream().filter(x -> x.to().equals(B_PUBLIC) && x.message() instanceof ConReq)
                .reduce((x, y) -> y).orElseThrow().message();
        v.feed(new LinkEvent.Control(B_PUBLIC, LinkMachineTest.conResp("instance-b", 77, toB.nonce())));
        assertEquals(LinkState.UP, link.snapshot().state());
        keepTalking(v, 3);
        assertTrue(v.released.isEmpty(), "up and in use: kept " + v.released);
        v.advance(Duration.ofSeconds(8));               // nothing heard for dead-after: lost
        assertEquals(LinkState.LOST, link.snapshot().state());
        assertEquals(List.of(B_PUBLIC), v.released);
    }

    /** An underlay whose extra socket carries {@code carried} (as after a birthday hit). */
    private static final class CarriedUnderlay implements io.ipop.underlay.Underlay {
        private final RecordingUnderlay wire = new RecordingUnderlay();
        private final Endpoint carried;

        CarriedUnderlay(Endpoint carried) {
            this.carried = carried;
        }

        @Override
        public Endpoint localEndpoint() {
            return wire.localEndpoint();
        }

        @Override
        public Received receive(byte[] buf) {
            return null;
        }

        @Override
        public Received receiveNow(byte[] buf) {
            return null;
        }

        @Override
        public void send(byte[] buf, int offset, int length, Endpoint to) {
        }

        @Override
        public boolean viaBirthday(Endpoint to) {
            return carried.equals(to);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void guessedPortsAreDistinctAndAboveTheWellKnownOnes() {
        int[] ports = BirthdayProbing.ports(4096, new java.util.Random(7));
        assertEquals(4096, Arrays.stream(ports).distinct().count());
        assertTrue(Arrays.stream(ports).allMatch(p -> p >= 1024 && p <= 65535));
        assertNotEquals(ports[0], BirthdayProbing.ports(4096, new java.util.Random(8))[0]);
    }

    private static boolean contains(int[] ports, int p) {
        return Arrays.stream(ports).anyMatch(x -> x == p);
    }

    /** b's request through the rendezvous, asking for birthday probing; {@code cand}: its public endpoint. */
    private static ConReq asking(String cand) {
        return new ConReq(ControlMessage.PROTOCOL_VERSION, "b", "instance-b", "10.77.0.2/24", "02:00:00:00:00:02",
                List.of(), "ask-" + cand.replace(':', '-'), 77, System.currentTimeMillis(), false, null, null, "a",
                List.of(cand), true);
    }

    private void keepTalking(VirtualLink v, int seconds) {
        for (int i = 0; i < seconds; i++) {
            link.counters().heard();
            v.advance(Duration.ofSeconds(1));
        }
    }

    /** The a-b link up on the relay; a behind a symmetric NAT if {@code hard}. */
    private VirtualLink upOnTheRelay(boolean hard) {
        VirtualLink v = new VirtualLink(context(hard), B_PUBLIC, link, verified -> PLAIN);
        v.feed(new LinkEvent.CandidatesLearned(List.of(B_PUBLIC), RELAYED, PeerId.of("rv")));
        v.feed(LinkEvent.Start.INSTANCE);
        ConReq toRelay = (ConReq) v.sent.stream().filter(s -> s.to().equals(RELAYED) && s.message() instanceof ConReq)
                .reduce((x, y) -> y).orElseThrow().message();
        v.feed(new LinkEvent.Control(RELAYED, LinkMachineTest.conResp("instance-b", 77, toRelay.nonce())));
        assertEquals(LinkState.UP, link.snapshot().state(), link.snapshot() + " " + v.logs);
        assertEquals(RELAYED, link.snapshot().endpoint());
        return v;
    }

    private LinkContext context(boolean hard) {
        return context(hard, new ControlChannel(new RecordingUnderlay(), new ControlCodec()));
    }

    private LinkContext context(boolean hard, ControlChannel channel) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        HelloCheck check = new HelloCheck(SELF, Optional.empty(), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        Signaling rendezvous = new Signaling() {
            @Override
            public void forward(PeerId peer, Supplier<? extends Hello> hello) {
            }

            @Override
            public boolean canForward(PeerId peer) {
                return true;
            }
        };
        return new LinkContext(SELF, LinkMachineTest.TIMERS, security, Optional.empty(), channel,
                new Hellos(SELF, Optional.empty(), () -> List.of("198.51.102.2:5800", "192.0.2.10:5800")),
                check, null, counters, null, rendezvous, new Birthday(SETTINGS, () -> hard));
    }
}
