package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.counters.SetupDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.ConResp;
import io.ipop.wire.PeerId;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A link's endpoint moves only after the new address proves it is the peer (docs/security.md, "Attacks and
 * defences: link setup"). Node a (blue) and b (red) hold certificates of one CA: their link is plaintext with
 * signed hellos. The attacker x re-sends b's captured signed hellos from its own address.
 */
class PathValidationTest {
    private static final ActorTestKit KIT = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
    private static final Endpoint B = Endpoint.parse("192.0.2.2:5800");
    private static final Endpoint X = Endpoint.parse("192.0.2.9:40000");
    @TempDir
    static Path dir;
    private static NodeIdentity a;
    private static NodeIdentity b;
    private static LocalNode selfA;

    private final RecordingUnderlay wire = new RecordingUnderlay();
    private final TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
    private LinkContext ctx;
    private PeerLink link;
    private ActorRef<PeerSession.Command> session;

    @BeforeAll
    static void pki() throws Exception {
        OverlayCa.init(dir, false);
        OverlayCa.sign(dir, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(dir, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("red"), Duration.ofDays(1), false);
        a = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("a.crt"), dir.resolve("a.key"));
        b = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("b.crt"), dir.resolve("b.key"));
        selfA = node("a", "instance-a", "10.77.0.1/24", "blue");
    }

    @AfterEach
    void stop() {
        if (session != null) {
            KIT.stop(session, Duration.ofSeconds(3));
        }
    }

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    /** The first-seen problem: x re-sends b's captured request before the genuine copy arrives. */
    @Test
    void aCapturedHelloSentFirstByTheAttackerNeitherBecomesTheEndpointNorLocksOutTheGenuineCopy() {
        start(Discovery.INBOUND);                               // nothing about b's address is trusted
        ConReq captured = hellosOf("instance-b").request(PeerId.of("a"), 77, false);
        session.tell(new PeerSession.ControlReceived(X, captured));
        directory.expectNoMessage(Duration.ofMillis(300));
        assertEquals(LinkState.CONNECTING, link.snapshot().state(), "x's copy brought no link up");
        awaitRequestTo(X);                              // x's address is challenged, not believed

        session.tell(new PeerSession.ControlReceived(B, captured));        // the genuine copy, second
        ConReq toB = awaitRequestTo(B);
        directory.expectNoMessage(Duration.ofMillis(200));
        session.tell(new PeerSession.ControlReceived(B, hellosOf("instance-b").response(PeerId.of("a"), 77, toB.nonce(), false)));
        PeerDirectory.LinkUp up = directory.expectMessageClass(PeerDirectory.LinkUp.class);
        assertEquals(B, up.route().endpoint(), "the link is at b's address, which answered");
        assertTrue(ctx.counters().drops(SetupDrop.HELLO_UNPROVEN_PATH) >= 1);

        // x has no answer to the challenge sent to x (only b's key could sign one); what it can do is replay b's
        // genuine answer, which echoes the nonce sent to b's address: that proves nothing about x's
        ConResp genuine = hellosOf("instance-b").response(PeerId.of("a"), 77, toB.nonce(), false);
        session.tell(new PeerSession.ControlReceived(X, genuine));
        directory.expectNoMessage(Duration.ofMillis(300));  // the session has handled it by now
        assertEquals(B, link.snapshot().endpoint(), "unchanged");
    }

    @Test
    void aVerifiedHelloFromANewAddressNeitherMovesNorResetsAnUpLinkUntilTheAddressAnswers() {
        start(Discovery.STATIC);
        bringUp();
        ConReq restarted = hellosOf("instance-b-2").request(PeerId.of("a"), 88, null);   // captured from b's next life, elsewhere
        session.tell(new PeerSession.ControlReceived(X, restarted));
        ConReq challenge = awaitRequestTo(X);
        directory.expectNoMessage(Duration.ofMillis(300));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(B, link.snapshot().endpoint());
        assertEquals(1, ctx.counters().drops(SetupDrop.HELLO_UNPROVEN_PATH));

        // the real b restarted behind a new NAT mapping at x: it answers the challenge, and only then the link moves
        session.tell(new PeerSession.ControlReceived(X, hellosOf("instance-b-2").response(PeerId.of("a"), 88, challenge.nonce(), false)));
        directory.expectMessageClass(PeerDirectory.LinkDown.class);
        PeerDirectory.LinkUp renewed = directory.expectMessageClass(PeerDirectory.LinkUp.class);
        assertEquals(X, renewed.route().endpoint());
        assertEquals(88, renewed.route().remoteIndex());
    }

    @Test
    void anOlderHelloReplayedFromTheLinksOwnAddressDoesNotResetIt() {
        start(Discovery.STATIC);
        ConReq older = hellosOf("instance-b").request(PeerId.of("a"), 77, null);  // b's first request, never delivered to a
        sleepMillis(5);
        bringUp();
        session.tell(new PeerSession.ControlReceived(B, older));       // replayed, its source spoofed as b's
        directory.expectNoMessage(Duration.ofMillis(300));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(1, ctx.counters().drops(SetupDrop.HELLO_SUPERSEDED));
        session.tell(new PeerSession.ControlReceived(B, hellosOf("instance-b").request(PeerId.of("a"), 77, null)));
        directory.expectMessageClass(PeerDirectory.LinkDown.class);    // a newer one does: b really went back to setup
    }

    /**
     * Two direct paths that both reach b (a LAN and a NAT's hairpin): the link stays on the one it came up on while
     * that one works, and moves to the other only once its own has been silent for half of dead-after.
     */
    @Test
    void anUpLinkLeavesAWorkingDirectPathOnlyWhenItFails() {
        start(Discovery.STATIC);
        ConReq first = hellosOf("instance-b").request(PeerId.of("a"), 77, false);
        session.tell(new PeerSession.ControlReceived(B, first));
        assertEquals(B, directory.expectMessageClass(PeerDirectory.LinkUp.class).route().endpoint());
        wire.drain();
        Endpoint hairpin = Endpoint.parse("198.51.100.2:5800");
        // the peer's next retry of the same setup, by the other path (b probes all of a's candidates)
        session.tell(new PeerSession.ControlReceived(hairpin, hellosOf("instance-b").request(PeerId.of("a"), 77, false)));
        ConReq challenge = awaitRequestTo(hairpin);
        session.tell(new PeerSession.ControlReceived(hairpin,
                hellosOf("instance-b").response(PeerId.of("a"), 77, challenge.nonce(), false)));
        directory.expectNoMessage(Duration.ofMillis(300));
        assertEquals(B, link.snapshot().endpoint(), "the working path keeps the link");

        ManualTime.get(KIT.system()).timePasses(Duration.ofMillis(2600));   // nothing heard for over half of dead-after
        directory.expectNoMessage(Duration.ofMillis(100));
        session.tell(new PeerSession.ControlReceived(hairpin, hellosOf("instance-b").request(PeerId.of("a"), 77, false)));
        ConReq again = awaitRequestTo(hairpin);
        session.tell(new PeerSession.ControlReceived(hairpin,
                hellosOf("instance-b").response(PeerId.of("a"), 77, again.nonce(), false)));
        assertEquals(hairpin, directory.expectMessageClass(PeerDirectory.LinkUp.class).route().endpoint(),
                "a failing path gives way to the one that answers");
        assertEquals(LinkState.UP, link.snapshot().state());
    }

    private void start(Discovery discoveredBy) {
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.BY_GROUP, Set.of(), Optional.of(a),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        HelloCheck check = new HelloCheck(selfA, Optional.of(a), true, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        ctx = new LinkContext(selfA, new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofSeconds(2)), security, Optional.of(a), new ControlChannel(wire, new ControlCodec()),
                new Hellos(selfA, Optional.of(a)), check, KIT.spawn(SecurityPolicy.create(security, selfA.groups())),
                new DataplaneCounters(), Runnable::run);
        link = PeerLink.connecting(PeerId.of("b"), discoveredBy, 0x1234, B);
        session = KIT.spawn(PeerSession.create(ctx, PeerId.of("b"), B, link, directory.getRef()));
        awaitRequestTo(B);
    }

    private void bringUp() {
        session.tell(new PeerSession.ControlReceived(B, hellosOf("instance-b").request(PeerId.of("a"), 77, false)));
        assertEquals(B, directory.expectMessageClass(PeerDirectory.LinkUp.class).route().endpoint());
        wire.drain();
    }

    private static Hellos hellosOf(String instance) {
        return new Hellos(node("b", instance, "10.77.0.2/24", "red"), Optional.of(b));
    }

    /** The next con_req the session sends to {@code to}, waiting up to 5 s. */
    private ConReq awaitRequestTo(Endpoint to) {
        List<RecordingUnderlay.Sent> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (RecordingUnderlay.Sent s : wire.drain()) {
                seen.add(s);
                if (s.to().equals(to) && s.message() instanceof ConReq r) {
                    return r;
                }
            }
            sleepMillis(5);
        }
        throw new AssertionError("no con_req to " + to + "; sent: " + seen);
    }

    private static LocalNode node(String name, String instance, String ip, String group) {
        return new LocalNode(name, instance, OverlayAddress.parse(ip, true), MacAddress.derivedFrom(name),
                List.of(group), Endpoint.parse("192.0.2.1:5800"), Instant.now());
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
