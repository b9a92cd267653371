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
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
        assertEquals(DtlsHandshake.Role.CLIENT, LinkHandshake.role("a", "b"));
        assertEquals(DtlsHandshake.Role.SERVER, LinkHandshake.role("b", "a"));
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
        LinkHandshake client = new LinkHandshake();
        LinkHandshake server = new LinkHandshake();
        DtlsHandshake atA = client.start(context(a, fromA), DtlsHandshake.Role.CLIENT, peer(b), INDEX_AT_B, AT_B);
        RecordingUnderlay.Dtls first = fromA.nextDtls(Duration.ofSeconds(5));
        assertEquals(INDEX_AT_B, first.receiverIndex(), "frames carry the index the peer handed out");
        assertEquals(AT_B, first.to());
        byte[] clientHello = first.record();
        assertTrue(DtlsHandshake.isClientHello(clientHello));

        server.keepEarly(clientHello);                  // b had not agreed yet when a's first flight came
        DtlsHandshake atB = server.start(context(b, fromB), DtlsHandshake.Role.SERVER, peer(a), INDEX_AT_A, AT_A);
        assertNotNull(fromB.nextDtls(Duration.ofSeconds(5)),
                "the server answers the record it was seeded with; nothing else reached it");

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(atA.result().isDone() && atB.result().isDone()) && System.nanoTime() < deadline) {
            deliver(fromB, client);
            deliver(fromA, server);
            Thread.sleep(2);
        }
        SessionKeys keysA = atA.result().get(1, TimeUnit.SECONDS);
        SessionKeys keysB = atB.result().get(1, TimeUnit.SECONDS);
        assertArrayEquals(keysA.sendKey(), keysB.receiveKey());
        assertEquals(keysA.cipherSuite(), keysB.cipherSuite());
        assertTrue(server.isCurrent(atB));

        assertFalse(server.receiveWhileUp(clientHello), "a ClientHello never reaches an up link's handshake");
        server.reset();
        assertFalse(server.isCurrent(atB));
        assertFalse(server.receive(clientHello), "no handshake after a reset");
    }

    @Test
    void startingAnotherHandshakeCancelsTheCurrentOne() throws Exception {
        RecordingUnderlay fromA = new RecordingUnderlay();
        LinkHandshake client = new LinkHandshake();
        DtlsHandshake first = client.start(context(a, fromA), DtlsHandshake.Role.CLIENT, peer(b), INDEX_AT_B, AT_B);
        DtlsHandshake second = client.start(context(a, fromA), DtlsHandshake.Role.CLIENT, peer(b), INDEX_AT_B, AT_B);
        assertTrue(first.result().isCompletedExceptionally());
        assertFalse(client.isCurrent(first));
        assertTrue(client.isCurrent(second));
        client.cancel();
        assertTrue(second.result().isCompletedExceptionally());
    }

    private static void deliver(RecordingUnderlay from, LinkHandshake to) {
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
