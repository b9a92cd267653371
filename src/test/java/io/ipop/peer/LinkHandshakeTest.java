package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.PeerIdentity;
import io.ipop.secure.SessionKeys;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.PeerId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A link's DTLS handshake: roles, records that came early, records on an up link; two real handshakes in memory. */
class LinkHandshakeTest {
    private static final Endpoint AT_A = Endpoint.parse("192.0.2.1:5800");
    private static final Endpoint AT_B = Endpoint.parse("192.0.2.2:5800");
    private static final int INDEX_AT_A = 0x0a;
    private static final int INDEX_AT_B = 0x0b;
    @TempDir
    static Path dir;
    private static NodeIdentity a;
    private static NodeIdentity b;

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeAll
    static void pki() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), false);
        a = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("a.crt"), pki.resolve("a.key"));
        b = NodeIdentityLoader.load(pki.resolve("ca.crt"), pki.resolve("b.crt"), pki.resolve("b.key"));
    }

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void theNodeWithTheLowerNameIsTheClient() {
        assertEquals(DtlsHandshake.Role.CLIENT, LinkHandshake.role("a", PeerId.of("b")));
        assertEquals(DtlsHandshake.Role.SERVER, LinkHandshake.role("b", PeerId.of("a")));
    }

    @Test
    void aFailureIsToldByItsRootCause() {
        Exception wrapped = new IllegalStateException("outer", new IOException("inner", new RuntimeException("root")));
        assertEquals("root", LinkHandshake.failure(wrapped));
        assertEquals("IOException", LinkHandshake.failure(new IllegalStateException("outer", new IOException())));
    }

    @Test
    void aRecordThatCameBeforeTheStartSeedsTheHandshakeThatThenCompletes() throws Exception {
        RecordingUnderlay fromA = new RecordingUnderlay();
        RecordingUnderlay fromB = new RecordingUnderlay();
        List<LinkEffect> effects = new ArrayList<>();
        LinkHandshake client = new LinkHandshake(effects::add);
        LinkHandshake server = new LinkHandshake(effects::add);
        LinkHandshake.Run runA = client.start(DtlsHandshake.Role.CLIENT, peer(b), INDEX_AT_B, AT_B, null);
        assertEquals(List.of(new LinkEffect.StartHandshake(runA)), effects, "the machine starts nothing itself");
        DtlsHandshake atA = runA.launch(context(a, fromA));
        RecordingUnderlay.Dtls first = fromA.nextDtls(Duration.ofSeconds(5));
        assertEquals(INDEX_AT_B, first.receiverIndex(), "frames carry the index the peer handed out");
        assertEquals(AT_B, first.to());
        byte[] clientHello = first.record();
        assertTrue(DtlsHandshake.isClientHello(clientHello));

        server.keepEarly(clientHello);                  // b had not agreed yet when a's first flight came
        LinkHandshake.Run runB = server.start(DtlsHandshake.Role.SERVER, peer(a), INDEX_AT_A, AT_A, null);
        assertEquals(1, runB.early().size(), "the early record goes with the start");
        DtlsHandshake atB = runB.launch(context(b, fromB));
        assertNotNull(fromB.nextDtls(Duration.ofSeconds(5)),
                "the server answers the record it was seeded with; nothing else reached it");

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(atA.result().isDone() && atB.result().isDone()) && System.nanoTime() < deadline) {
            deliver(fromB, atA);
            deliver(fromA, atB);
            Thread.sleep(2);
        }
        SessionKeys keysA = atA.result().get(1, TimeUnit.SECONDS);
        SessionKeys keysB = atB.result().get(1, TimeUnit.SECONDS);
        assertArrayEquals(keysA.sendKey(), keysB.receiveKey());
        assertEquals(keysA.cipherSuite(), keysB.cipherSuite());
        assertTrue(server.isCurrent(runB));

        effects.clear();
        assertFalse(server.receiveWhileUp(clientHello), "a ClientHello never reaches an up link's handshake");
        assertEquals(List.of(), effects);
        assertTrue(server.receive(new byte[] {22}));
        assertEquals(LinkEffect.FeedHandshake.class, effects.get(0).getClass(), "a record goes to the current handshake");
        server.reset();
        assertFalse(server.isCurrent(runB));
        assertFalse(server.receive(clientHello), "no handshake after a reset");
    }

    @Test
    void startingAnotherHandshakeCancelsTheCurrentOne() throws Exception {
        List<LinkEffect> effects = new ArrayList<>();
        LinkHandshake client = new LinkHandshake(effects::add);
        LinkHandshake.Run first = client.start(DtlsHandshake.Role.CLIENT, peer(b), INDEX_AT_B, AT_B, null);
        LinkHandshake.Run second = client.start(DtlsHandshake.Role.CLIENT, peer(b), INDEX_AT_B, AT_B, null);
        assertEquals(List.of(new LinkEffect.StartHandshake(first), new LinkEffect.CancelHandshake(first),
                new LinkEffect.StartHandshake(second)), effects);
        assertFalse(client.isCurrent(first));
        assertTrue(client.isCurrent(second));
        client.cancel();
        assertEquals(new LinkEffect.CancelHandshake(second), effects.get(3));
    }

    private static void deliver(RecordingUnderlay from, DtlsHandshake to) {
        for (RecordingUnderlay.Dtls d = from.pollDtls(); d != null; d = from.pollDtls()) {
            to.receive(d.record());
        }
    }

    private LinkContext context(NodeIdentity self, RecordingUnderlay outside) {
        LocalNode node = new LocalNode(self.name(), self.name() + "-instance", self.address(),
                MacAddress.parse("02:00:00:00:00:01"), self.groups(), AT_A, Instant.now());
        SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.ALWAYS, Set.of(), Optional.of(self),
                Duration.ofSeconds(60), Duration.ofSeconds(10));
        LinkSettings timers = new LinkSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(250),
                Duration.ofSeconds(2));
        return new LinkContext(node, timers, security, Optional.of(self), new ControlChannel(outside, new ControlCodec()),
                null, null, null, new DataplaneCounters(), pool);
    }

    private static PeerIdentity peer(NodeIdentity id) {
        return new PeerIdentity(id.name(), id.address(), id.groups(), id.certificate(), "fingerprint-" + id.name());
    }
}
