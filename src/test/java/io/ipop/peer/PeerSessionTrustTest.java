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
import io.ipop.secure.Revocations;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.Close;
import io.ipop.wire.ControlMessage.ConRej;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
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
 * A live link whose peer's certificate stops standing (revoked by a reload, expired, found by the
 * periodic re-verification) goes down and stays down; a reload's unchanged decision is re-announced
 * until the peer answers. Node a holds the CA in mode never, so its link with b is plaintext but b's
 * hellos are verified. Timers by ManualTime, certificate time by a settable clock; no sockets.
 */
class PeerSessionTrustTest {
    private static final ActorTestKit KIT = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
    private static final ManualTime TIME = ManualTime.get(KIT.system());
    private static final LinkSettings TIMERS = new LinkSettings(
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofSeconds(2));
    private static final Endpoint PEER_ENDPOINT = Endpoint.of(InetAddress.getLoopbackAddress(), 5801);
    private static final LocalNode SELF = node("a", 1);
    private static final LocalNode B = node("b", 2);
    private static final int LOCAL_INDEX = 0x1234;

    @TempDir
    static Path dir;
    private static NodeIdentity a;
    private static NodeIdentity b;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    private RecordingUnderlay wire;
    private TestProbe<PeerDirectory.Command> directory;
    private PeerLink link;
    private LinkContext linkContext;
    private ActorRef<PeerSession.Command> session;
    private Hellos fromB;

    @BeforeAll
    static void pki() throws Exception {
        OverlayCa.init(dir, false);
        OverlayCa.sign(dir, "a", SELF.address(), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(dir, "b", B.address(), List.of("blue"), Duration.ofDays(1), false);
        a = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("a.crt"), dir.resolve("a.key"));
        b = NodeIdentityLoader.load(dir.resolve("ca.crt"), dir.resolve("b.crt"), dir.resolve("b.key"));
    }

    @AfterEach
    void stopSession() {
        KIT.stop(session, Duration.ofSeconds(3));
    }

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void aReloadThatRevokesThePeerTakesTheLinkDownAtOnceAndRefusesItsHellos() {
        start(security(Revocations.NONE, Duration.ofHours(1)));
        bringUp();
        String fingerprint = link.snapshot().peerCertificate();
        Revocations revoked = Revocations.of(List.of(fingerprint));
        SecuritySettings next = security(revoked, Duration.ofHours(1));
        session.tell(new PeerSession.Reconfigure(linkContext.reconfigured(SELF, next,
                linkContext.check().withRevocations(revoked)), null));

        directory.expectMessageClass(PeerDirectory.LinkDown.class, Duration.ofSeconds(1));
        awaitState(LinkState.LOST);
        assertTrue(link.snapshot().reason().startsWith("revoked: certificate of b"), link.snapshot().reason());
        Close close = awaitSent(Close.class, 1).get(0);
        assertTrue(close.reason().contains("revoked"), "the peer is told why: " + close.reason());
        assertEquals(1, link.setups().distrusted());

        session.tell(received(fromB.request(PeerId.of("a"), 77, false)));      // b tries again: refused, counted, told
        ConRej rej = awaitSent(ConRej.class, 1).get(0);
        assertTrue(rej.reason().contains("revoked"), rej.reason());
        assertEquals(1, linkContext.counters().drops(SetupDrop.HELLO_REVOKED));
        TIME.timePasses(Duration.ofSeconds(5));
        directory.expectNoMessage(Duration.ofMillis(200));
        assertEquals(LinkState.LOST, link.snapshot().state(), "and the link stays down");
        assertTrue(link.snapshot().reason().contains("revoked"), link.snapshot().reason());
    }

    @Test
    void thePeriodicReverificationTakesDownALinkWhosePeerCertificateExpired() {
        start(security(Revocations.NONE, Duration.ofSeconds(10)));
        bringUp();
        for (int i = 0; i < 10; i++) {
            link.counters().heard();
            TIME.timePasses(Duration.ofSeconds(1));
        }
        directory.expectNoMessage(Duration.ofMillis(200));
        assertEquals(LinkState.UP, link.snapshot().state(), "still valid at the first re-verification");

        now.set(Instant.now().plus(Duration.ofDays(2)));            // b's certificate (one day) has expired
        for (int i = 0; i < 10; i++) {
            link.counters().heard();                                // b is alive: only the certificate is wrong
            TIME.timePasses(Duration.ofSeconds(1));
        }
        directory.expectMessageClass(PeerDirectory.LinkDown.class);
        awaitState(LinkState.LOST);                                 // the route goes first, then the snapshot
        assertTrue(link.snapshot().reason().contains("expired"), link.snapshot().reason());
        assertEquals(1, link.setups().distrusted());
    }

    @Test
    void aReloadsUnchangedDecisionIsReannouncedWithBackoffUntilThePeerAnswers() {
        start(security(Revocations.NONE, Duration.ofHours(1)));
        bringUp();
        SecuritySettings same = security(Revocations.NONE, Duration.ofHours(1));
        session.tell(new PeerSession.Reconfigure(linkContext.reconfigured(SELF.withGroups(List.of("blue", "red")), same,
                linkContext.check()), null));
        List<ConReq> sent = new ArrayList<>(awaitSent(ConReq.class, 1));  // the first one is lost on the way
        for (long gap : new long[] {250, 500, 1000}) {
            TIME.timePasses(Duration.ofMillis(gap));
            sent.addAll(awaitSent(ConReq.class, 1));
        }
        assertEquals(4, sent.size(), "re-sent with the link's backoff while unanswered");
        assertTrue(sent.stream().allMatch(r -> Boolean.FALSE.equals(r.secure()) && r.groups().contains("red")));

        session.tell(received(fromB.response(PeerId.of("a"), 77, sent.get(sent.size() - 1).nonce(), false)));
        for (int i = 0; i < 10; i++) {
            TIME.timePasses(Duration.ofSeconds(1));
            link.counters().heard();
        }
        assertEquals(List.of(), wire.drain(ConReq.class), "answered: no more announcements");
        assertEquals(LinkState.UP, link.snapshot().state());
    }

    private void start(SecuritySettings security) {
        wire = new RecordingUnderlay();
        directory = KIT.createTestProbe();
        link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, LOCAL_INDEX, PEER_ENDPOINT);
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        HelloCheck check = new HelloCheck(SELF, Optional.of(a), false, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), clock).withRevocations(security.revoked());
        linkContext = new LinkContext(SELF, TIMERS, security, Optional.of(a), new ControlChannel(wire, new ControlCodec()),
                new Hellos(SELF, Optional.of(a)), check, KIT.spawn(SecurityPolicy.create(security, SELF.groups())),
                new DataplaneCounters(), Runnable::run);
        fromB = new Hellos(B, Optional.of(b));
        session = KIT.spawn(PeerSession.create(linkContext, PeerId.of("b"), PEER_ENDPOINT, link, directory.getRef()));
    }

    private static SecuritySettings security(Revocations revoked, Duration reverify) {
        return new SecuritySettings(SecuritySettings.Mode.NEVER, io.ipop.peer.SecurePeers.NONE, Optional.of(a), Duration.ofSeconds(60),
                Duration.ofSeconds(10), revoked, reverify, Duration.ofMinutes(2));
    }

    private void bringUp() {
        awaitSent(ConReq.class, 1);
        session.tell(received(fromB.request(PeerId.of("a"), 77, false)));
        directory.expectMessageClass(PeerDirectory.LinkUp.class);
        awaitState(LinkState.UP);
        assertEquals(b.name(), link.snapshot().remote().name());
        wire.drain();
    }

    private static LocalNode node(String name, int host) {
        return new LocalNode(name, "instance-" + name, OverlayAddress.parse("10.77.0." + host + "/24", true),
                MacAddress.derivedFrom(name), List.of("blue"),
                Endpoint.of(InetAddress.getLoopbackAddress(), 5800 + host), Instant.now());
    }

    private static PeerSession.ControlReceived received(ControlMessage m) {
        return new PeerSession.ControlReceived(PEER_ENDPOINT, m);
    }

    private <T extends ControlMessage> List<T> awaitSent(Class<T> type, int count) {
        List<T> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            got.addAll(wire.drain(type));
            sleep();
        }
        assertTrue(got.size() >= count, "expected " + count + " " + type.getSimpleName() + ", got " + got.size());
        return got;
    }

    private void awaitState(LinkState state) {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (link.snapshot().state() != state && System.nanoTime() < deadline) {
            sleep();
        }
        assertEquals(state, link.snapshot().state());
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
