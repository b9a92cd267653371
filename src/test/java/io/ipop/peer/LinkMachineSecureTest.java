package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.counters.SetupDrop;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;

import io.ipop.route.Route;
import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.NonceCache;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The link machine with certificates: the DTLS handshake as effect and event, reloads that flip the decision, replays. */
class LinkMachineSecureTest {
    private static final Endpoint AT_A = Endpoint.parse("192.0.2.1:5800");
    private static final Endpoint PEER = Endpoint.parse("192.0.2.2:5800");
    private static final SecurityDecision SECURE = new SecurityDecision(true, "mode:always");
    private static final SecurityDecision PLAIN = new SecurityDecision(false, "mode:never");
    @TempDir
    static Path dir;
    private static NodeIdentity a;
    private static NodeIdentity b;

    private final DataplaneCounters counters = new DataplaneCounters();
    private final LinkContext ctx = context(LinkMachineTest.TIMERS);
    private final PeerLink link = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 0x1234, PEER);
    private SecurityDecision mine = SECURE;
    private final VirtualLink v = new VirtualLink(ctx, PEER, link, verified -> mine);
    private final Hellos fromB = new Hellos(node(b, "instance-b", PEER), Optional.of(b));

    @BeforeAll
    static void pki() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), false);
        a = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key"));
        b = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("b.crt"), pki.resolve("b.key"));
    }

    @Test
    void aSecureLinkStartsItsHandshakeAsAnEffectAndComesUpOnItsResult() {
        LinkHandshake.Run run = handshaking();
        byte[] record = {22, (byte) 0xfe, (byte) 0xfd};
        assertEquals(List.of(new LinkEffect.FeedHandshake(run, record)), v.feed(new LinkEvent.Dtls(PEER, record)));
        v.feed(new LinkEvent.HandshakeDone(run, keys(), null));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals("DTLS up, TEST_SUITE", link.snapshot().reason());
        Route route = v.routes.get(v.routes.size() - 1);
        assertNotNull(route.cipher(), "the data path seals with the handshake's keys");
        assertEquals(1, link.setups().handshakesOk());
    }

    @Test
    void aFailedHandshakeIsCountedAndTheLinkSoughtAgainWhileItsLateResultChangesNothing() {
        LinkHandshake.Run run = handshaking();
        v.feed(new LinkEvent.HandshakeDone(run, null, new IOException("wrapped", new IOException("boom"))));
        assertEquals(1, counters.drops(SetupDrop.DTLS_FAILED));
        assertEquals(LinkState.CONNECTING, link.snapshot().state(), "never up: connecting, not lost");
        assertEquals("DTLS handshake failed: boom", link.snapshot().reason());
        assertTrue(v.timerRunning(LinkMachine.Timer.RETRY));
        assertTrue(v.cancelled.contains(run), "its thread is freed");
        v.feed(new LinkEvent.HandshakeDone(run, keys(), null));
        assertEquals(LinkState.CONNECTING, link.snapshot().state(), "a result for an abandoned handshake is stale");
        v.feed(new LinkEvent.Control(PEER, fromB.request(PeerId.of("a"), 77, true)));
        assertEquals(2, v.handshakes.size(), "the next setup runs a handshake of its own");
        v.feed(new LinkEvent.HandshakeDone(run, keys(), null));
        assertEquals(LinkState.HANDSHAKING, link.snapshot().state(), "the first one's late result is not the second's");
    }

    @Test
    void aReloadThatMakesASecureLinkPlaintextSetsItUpAgainPlaintext() {
        LinkHandshake.Run run = handshaking();
        v.feed(new LinkEvent.HandshakeDone(run, keys(), null));
        v.sent.clear();
        mine = PLAIN;
        v.feed(new LinkEvent.Reconfigure(ctx, null));
        assertEquals(LinkState.LOST, link.snapshot().state());
        assertEquals("security decision changed by reload (mode:always -> mode:never): setting the link up again",
                link.snapshot().reason());
        assertNull(v.routes.get(v.routes.size() - 1));
        assertEquals(Boolean.FALSE, v.take(ConReq.class).get(0).secure(), "the new decision, stated in the first con_req");
        v.feed(new LinkEvent.Control(PEER, fromB.request(PeerId.of("a"), 77, false)));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertNull(v.routes.get(v.routes.size() - 1).cipher());
    }

    @Test
    void aReloadThatMakesAPlaintextLinkSecureSetsItUpAgainWithAHandshake() {
        mine = PLAIN;
        v.feed(LinkEvent.Start.INSTANCE);
        v.feed(new LinkEvent.Control(PEER, fromB.request(PeerId.of("a"), 77, false)));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertNull(v.routes.get(v.routes.size() - 1).cipher());
        v.sent.clear();
        mine = SECURE;
        v.feed(new LinkEvent.Reconfigure(ctx, null));
        assertEquals(LinkState.LOST, link.snapshot().state());
        ConReq ours = v.take(ConReq.class).get(0);
        assertEquals(Boolean.TRUE, ours.secure());
        v.feed(new LinkEvent.Control(PEER, fromB.response(PeerId.of("a"), 77, ours.nonce(), true)));
        assertEquals(LinkState.HANDSHAKING, link.snapshot().state());
        assertEquals(1, v.handshakes.size());
    }

    @Test
    void anOlderRequestOfAnotherProcessNeverResetsTheLink() throws Exception {
        Hellos restarted = new Hellos(node(b, "instance-b2", PEER), Optional.of(b));
        ConReq older = restarted.request(PeerId.of("a"), 78, false);
        Thread.sleep(5);                                // the link is set up from a later hello
        mine = PLAIN;
        v.feed(LinkEvent.Start.INSTANCE);
        v.feed(new LinkEvent.Control(PEER, fromB.request(PeerId.of("a"), 77, false)));
        assertEquals(LinkState.UP, link.snapshot().state());
        v.feed(new LinkEvent.Control(PEER, older));
        assertEquals(1, counters.drops(SetupDrop.HELLO_SUPERSEDED));
        assertEquals(LinkState.UP, link.snapshot().state());
        assertEquals(77, v.routes.get(v.routes.size() - 1).remoteIndex());
    }

    /**
     * With {@code link.idle-keepalive} only the lower-named end pings a quiet link, and a pong does not authenticate:
     * the end that answers a ping adds a sealed keepalive, else the pinging end would hear nothing and lose the link.
     */
    @Test
    void withIdleKeepaliveAPingOnASecureLinkIsAnsweredWithASealedKeepaliveToo() {
        LinkSettings idle = new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMillis(250),
                Duration.ofSeconds(2), 32, Duration.ofSeconds(20));
        for (boolean idleMode : new boolean[] {false, true}) {
            PeerLink l = PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 0x1234, PEER);
            VirtualLink w = new VirtualLink(context(idleMode ? idle : LinkMachineTest.TIMERS), PEER, l, verified -> mine);
            LinkHandshake.Run run = handshaking(w);
            w.feed(new LinkEvent.HandshakeDone(run, keys(), null));
            w.raw.clear();
            w.sent.clear();
            w.feed(new LinkEvent.Control(PEER, new ControlMessage.Ping("b", 1, 5)));
            assertEquals(1, w.take(ControlMessage.Pong.class).size());
            assertEquals(idleMode ? 1 : 0, w.raw.size(), idleMode ? "pong and a sealed keepalive" : "a pong alone");
        }
    }

    /** Brings the link to the handshake: b's signed request states secure, this side decides secure too. */
    private LinkHandshake.Run handshaking() {
        return handshaking(v);
    }

    private LinkHandshake.Run handshaking(VirtualLink v) {
        PeerLink link = v.link;
        v.feed(LinkEvent.Start.INSTANCE);
        v.feed(new LinkEvent.Control(PEER, fromB.request(PeerId.of("a"), 77, true)));
        assertEquals(LinkState.HANDSHAKING, link.snapshot().state());
        assertEquals("DTLS handshake as client (mode:always)", link.snapshot().reason());
        assertEquals(1, v.handshakes.size());
        LinkHandshake.Run run = v.handshakes.get(0);
        assertEquals(DtlsHandshake.Role.CLIENT, run.role(), "a < b: a is the client");
        assertEquals(77, run.remoteIndex());
        assertEquals(PEER, run.to());
        assertTrue(!v.timerRunning(LinkMachine.Timer.RETRY), "no con_req while handshaking");
        return run;
    }

    private static SessionKeys keys() {
        return new SessionKeys(new byte[32], new byte[4], new byte[32], new byte[4], "TEST_SUITE");
    }

    private static LocalNode node(NodeIdentity id, String instance, Endpoint at) {
        return new LocalNode(id.name(), instance, id.address(), MacAddress.derivedFrom(id.name()), id.groups(), at,
                Instant.now());
    }

    private LinkContext context(LinkSettings timers) {
        LocalNode self = node(a, "instance-a", AT_A);
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.ALWAYS, Set.of(), Optional.of(a),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        HelloCheck check = new HelloCheck(self, Optional.of(a), true, Duration.ofSeconds(60),
                new NonceCache(Duration.ofSeconds(120), 1000), Clock.systemUTC());
        return new LinkContext(self, timers, security, Optional.of(a),
                new ControlChannel(new RecordingUnderlay(), new ControlCodec()), new Hellos(self, Optional.of(a)),
                check, null, counters, null);
    }
}
