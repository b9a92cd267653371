package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.secure.DtlsException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two real BC DTLS handshakes wired back to back in memory, with loss injected by dropping datagrams. */
class DtlsHandshakeTest {
    private static final int MAX_RECORD = 1400;
    private static NodeIdentity alice;
    private static NodeIdentity bob;
    private static NodeIdentity carol;
    private static NodeIdentity mallory;
    /** Trusts the overlay CA but holds a certificate from another CA. */
    private static NodeIdentity intruder;
    private static NodeIdentity expired;

    private ThreadPoolExecutor handshakes;
    private ThreadPoolExecutor delivery;

    @BeforeAll
    static void certificates() throws Exception {
        TestCertificates.Ca overlay = TestCertificates.ca("overlay CA");
        alice = TestCertificates.node(overlay, "alice");
        bob = TestCertificates.node(overlay, "bob");
        carol = TestCertificates.node(overlay, "carol");
        mallory = TestCertificates.node(TestCertificates.ca("other CA"), "mallory");
        intruder = new NodeIdentity("mallory", mallory.address(), mallory.groups(), mallory.certificate(),
                mallory.privateKey(), overlay.certificate());
        Instant now = Instant.now();
        expired = TestCertificates.node(overlay, "expired", now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
    }

    @BeforeEach
    void pools() {
        handshakes = (ThreadPoolExecutor) Executors.newCachedThreadPool();
        delivery = (ThreadPoolExecutor) Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void shutdown() {
        handshakes.shutdownNow();
        delivery.shutdownNow();
    }

    /** A client (first) and a server (second) connected through {@link #delivery}, dropping the first N each way. */
    private final class Pair {
        final DtlsHandshake client;
        final DtlsHandshake server;
        final Queue<byte[]> fromServer = new ConcurrentLinkedQueue<>();
        final Queue<byte[]> fromClient = new ConcurrentLinkedQueue<>();

        Pair(NodeIdentity c, NodeIdentity s, byte[] clientExpects, byte[] serverExpects, int dropEachWay, Duration timeout) {
            CompletableFuture<DtlsHandshake> toServer = new CompletableFuture<>();
            CompletableFuture<DtlsHandshake> toClient = new CompletableFuture<>();
            server = DtlsHandshake.start(DtlsHandshake.Role.SERVER, s, serverExpects,
                    link(toClient, fromServer, dropEachWay), handshakes, timeout, MAX_RECORD);
            toServer.complete(server);
            client = DtlsHandshake.start(DtlsHandshake.Role.CLIENT, c, clientExpects,
                    link(toServer, fromClient, dropEachWay), handshakes, timeout, MAX_RECORD);
            toClient.complete(client);
        }

        Pair(NodeIdentity c, NodeIdentity s, int dropEachWay, Duration timeout) throws Exception {
            this(c, s, s.certificate().getEncoded(), c.certificate().getEncoded(), dropEachWay, timeout);
        }

        /** Delivers on the delivery pool (possibly reordered, like UDP) once the receiving side exists. */
        private Consumer<byte[]> link(CompletableFuture<DtlsHandshake> to, Queue<byte[]> seen, int drop) {
            AtomicInteger toDrop = new AtomicInteger(drop);
            return record -> {
                seen.add(record);
                if (toDrop.getAndDecrement() <= 0) {
                    to.thenAcceptAsync(h -> h.receive(record), delivery);
                }
            };
        }

        void cancel() {
            client.cancel();
            server.cancel();
        }
    }

    @Test
    void handshakeYieldsMatchingKeysOnBothSides() throws Exception {
        long started = System.nanoTime();
        Pair pair = new Pair(alice, bob, 0, Duration.ofSeconds(5));
        SessionKeys c = pair.client.result().get(5, TimeUnit.SECONDS);
        SessionKeys s = pair.server.result().get(5, TimeUnit.SECONDS);
        System.out.printf("DTLS handshake (first of this test, incl. thread start) took %d ms%n",
                (System.nanoTime() - started) / 1_000_000);
        pair.cancel();
        for (byte[] record : pair.fromServer) {
            assertEquals(0xFEFD, ((record[1] & 0xFF) << 8) | (record[2] & 0xFF), "DTLS 1.2 record version");
        }
        Stream.concat(pair.fromServer.stream(), pair.fromClient.stream())
                .forEach(record -> assertTrue(record.length <= MAX_RECORD, "record of " + record.length));
        assertTrue(DtlsHandshake.isClientHello(pair.fromClient.peek()));
        assertFalse(DtlsHandshake.isClientHello(pair.fromServer.peek()));

        assertArrayEquals(c.sendKey(), s.receiveKey());
        assertArrayEquals(c.receiveKey(), s.sendKey());
        assertArrayEquals(c.sendSalt(), s.receiveSalt());
        assertArrayEquals(c.receiveSalt(), s.sendSalt());
        assertFalse(java.util.Arrays.equals(c.sendKey(), c.receiveKey()));
        assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", c.cipherSuite());
        assertEquals(c.cipherSuite(), s.cipherSuite());
        assertFalse(c.toString().contains(java.util.HexFormat.of().formatHex(c.sendKey())));

        // records both ways with the exported keys: what the client seals, the server opens, and back
        LinkCipher clientSide = LinkCipher.of(c, 17);
        LinkCipher serverSide = LinkCipher.of(s, 42);
        byte[] frame = "an ethernet frame crossing a secure link".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] out = new byte[256];
        byte[] sealed = clientSide.seal(frame, 0, frame.length);
        int n = serverSide.open(sealed, sealed.length, out);
        assertArrayEquals(frame, java.util.Arrays.copyOf(out, n));
        assertEquals(LinkCipher.REPLAY, serverSide.open(sealed, sealed.length, out), "the same record again is a replay");
        byte[] back = serverSide.seal(frame, 0, frame.length);
        assertEquals(frame.length, clientSide.open(back, back.length, out));
        assertEquals(LinkCipher.REJECTED, LinkCipher.of(c, 17).open(sealed, sealed.length, out),
                "a frame sealed for the other direction does not open");

        long warm = System.nanoTime();
        Pair again = new Pair(bob, carol, 0, Duration.ofSeconds(5));
        again.client.result().get(5, TimeUnit.SECONDS);
        System.out.printf("DTLS handshake (warm) took %d ms%n", (System.nanoTime() - warm) / 1_000_000);
        again.cancel();
    }

    @Test
    void serverFromAnotherCaFailsBothSides() throws Exception {
        Pair pair = new Pair(alice, mallory, 0, Duration.ofSeconds(5));
        DtlsException client = failure(pair.client.result(), 6);
        DtlsException server = failure(pair.server.result(), 6);
        assertEquals(Reason.BAD_PEER_CERTIFICATE, client.reason());
        assertEquals("peer certificate not issued by the overlay CA", client.getMessage());
        assertEquals(Reason.PEER_ALERT, server.reason());
        assertEquals("peer aborted the handshake: bad_certificate(42)", server.getMessage());
    }

    @Test
    void clientFromAnotherCaFailsBothSides() throws Exception {
        Pair pair = new Pair(intruder, alice, 0, Duration.ofSeconds(5));
        DtlsException server = failure(pair.server.result(), 6);
        DtlsException client = failure(pair.client.result(), 6);
        assertEquals(Reason.BAD_PEER_CERTIFICATE, server.reason());
        assertEquals("peer certificate not issued by the overlay CA", server.getMessage());
        assertEquals(Reason.PEER_ALERT, client.reason());
    }

    @Test
    void certificateOtherThanTheOneInTheHelloFails() throws Exception {
        Pair pair = new Pair(alice, bob, carol.certificate().getEncoded(), alice.certificate().getEncoded(), 0,
                Duration.ofSeconds(5));
        DtlsException client = failure(pair.client.result(), 6);
        failure(pair.server.result(), 6);
        assertEquals(Reason.BAD_PEER_CERTIFICATE, client.reason());
        assertEquals("peer certificate does not match the one in its hello", client.getMessage());

        Pair reverse = new Pair(alice, bob, bob.certificate().getEncoded(), carol.certificate().getEncoded(), 0,
                Duration.ofSeconds(5));
        assertEquals("peer certificate does not match the one in its hello", failure(reverse.server.result(), 6).getMessage());
        failure(reverse.client.result(), 6);
    }

    @Test
    void expiredPeerCertificateFails() throws Exception {
        Pair pair = new Pair(expired, alice, 0, Duration.ofSeconds(5));
        DtlsException server = failure(pair.server.result(), 6);
        failure(pair.client.result(), 6);
        assertEquals(Reason.BAD_PEER_CERTIFICATE, server.reason());
        assertTrue(server.getMessage().startsWith("peer certificate is not within its validity period"), server.getMessage());
    }

    @Test
    void survivesLossOfTheFirstTwoDatagramsEachWay() throws Exception {
        long started = System.nanoTime();
        Pair pair = new Pair(alice, bob, 2, Duration.ofSeconds(10));
        SessionKeys c = pair.client.result().get(10, TimeUnit.SECONDS);
        SessionKeys s = pair.server.result().get(10, TimeUnit.SECONDS);
        System.out.printf("DTLS handshake with 2 datagrams lost each way took %d ms%n", (System.nanoTime() - started) / 1_000_000);
        pair.cancel();
        assertArrayEquals(c.sendKey(), s.receiveKey());
        assertArrayEquals(c.receiveKey(), s.sendKey());
    }

    @Test
    void silentPeerTimesOutAndTheThreadEnds() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        Duration timeout = Duration.ofMillis(1500);
        long started = System.nanoTime();
        DtlsHandshake client = DtlsHandshake.start(DtlsHandshake.Role.CLIENT, alice, bob.certificate().getEncoded(),
                record -> sent.incrementAndGet(), handshakes, timeout, MAX_RECORD);
        DtlsException e = failure(client.result(), 1.5 + 2);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(Reason.TIMEOUT, e.reason());
        assertTrue(e.getMessage().startsWith("handshake timed out after 1500 ms"), e.getMessage());
        assertTrue(tookMillis >= 1400, "timed out early: " + tookMillis);
        assertTrue(sent.get() >= 2, "the ClientHello should have been retransmitted, sent " + sent.get());
        awaitIdle(1000);
    }

    @Test
    void cancelEndsARunningHandshakePromptly() throws Exception {
        DtlsHandshake client = DtlsHandshake.start(DtlsHandshake.Role.CLIENT, alice, bob.certificate().getEncoded(),
                record -> { }, handshakes, Duration.ofSeconds(30), MAX_RECORD);
        Thread.sleep(200);
        assertEquals(1, handshakes.getActiveCount());
        client.cancel();
        assertEquals(Reason.CANCELLED, failure(client.result(), 0.1).reason());
        awaitIdle(1000);
    }

    @Test
    void theNodesExecutorRunsAtMostItsBoundAndRefusesTheRestAtOnce() throws Exception {
        ThreadPoolExecutor bounded = (ThreadPoolExecutor) DtlsHandshake.executor(1);
        try {
            byte[] bobCert = bob.certificate().getEncoded();
            DtlsHandshake first = DtlsHandshake.start(DtlsHandshake.Role.CLIENT, alice, bobCert, record -> { }, bounded,
                    Duration.ofSeconds(30), MAX_RECORD);
            DtlsHandshake second = DtlsHandshake.start(DtlsHandshake.Role.CLIENT, alice, bobCert, record -> { }, bounded,
                    Duration.ofSeconds(30), MAX_RECORD);
            DtlsException refused = failure(second.result(), 0.5);
            assertEquals(Reason.PROTOCOL, refused.reason());
            assertTrue(refused.getMessage().contains("rejected"), refused.getMessage());
            assertTrue(!first.result().isDone(), "the running handshake goes on");
            first.cancel();
            long deadline = System.currentTimeMillis() + 1000;
            while (bounded.getActiveCount() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(100);                          // the freed thread waits for the next task
            DtlsHandshake third = DtlsHandshake.start(DtlsHandshake.Role.CLIENT, alice, bobCert, record -> { }, bounded,
                    Duration.ofSeconds(30), MAX_RECORD);
            Thread.sleep(200);
            assertTrue(!third.result().isDone(), "a cancelled handshake frees its thread for the next");
            assertEquals(1, bounded.getPoolSize());
            third.cancel();
        } finally {
            bounded.shutdownNow();
        }
    }

    @Test
    void cancelEndsTheServerLinger() throws Exception {
        Pair pair = new Pair(alice, bob, 0, Duration.ofSeconds(30));
        pair.server.result().get(5, TimeUnit.SECONDS);
        pair.client.result().get(5, TimeUnit.SECONDS);
        Thread.sleep(100);
        assertEquals(1, handshakes.getActiveCount(), "the server lingers for retransmitted client flights");
        pair.server.cancel();
        awaitIdle(1000);
        assertTrue(pair.server.result().isDone() && !pair.server.result().isCompletedExceptionally());
    }

    private static DtlsException failure(CompletableFuture<SessionKeys> result, double seconds) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> result.get((long) (seconds * 1000), TimeUnit.MILLISECONDS));
        return assertInstanceOf(DtlsException.class, e.getCause());
    }

    private void awaitIdle(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (handshakes.getActiveCount() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, handshakes.getActiveCount(), "the handshake thread should have ended");
    }
}
