package io.ipop.node;

import static io.ipop.node.TestNodes.awaitState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import io.ipop.node.TestNodes.Node;
import io.ipop.peer.LinkState;
import io.ipop.peer.SecurityDecision;
import io.ipop.secure.OverlayCa;
import io.ipop.secure.SecureChannel;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.FrameHeader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Selective security with whole nodes in one JVM: a and b share a group (DTLS), c does not
 * (plaintext). A capture of the in-memory underlay shows the marker on the plaintext link only.
 */
class SecureOverlayTest {
    private static final byte[] MARKER = "ipop-marker-5ecret!".getBytes(StandardCharsets.US_ASCII);
    private static final int FRAME = 600;

    @TempDir
    static Path dir;
    private final TestNodes nodes = new TestNodes();

    @BeforeAll
    static void pki() throws Exception {
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", addr(1), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", addr(2), List.of("blue", "green"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "c", addr(3), List.of("red"), Duration.ofDays(1), false);
        Path other = dir.resolve("other");
        OverlayCa.init(other, false);
        OverlayCa.sign(other, "c", addr(3), List.of("blue"), Duration.ofDays(1), false);
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void sharedGroupGetsDtlsAndNoPlaintextOnTheWireOthersStayPlaintext() throws Exception {
        Map<String, AtomicInteger> markerSeen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> sealed = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> plain = new ConcurrentHashMap<>();
        observe(markerSeen, sealed, plain);
        Node a = nodes.start("a", 1, security("pki", "a", "groups = [ blue ]"), "b:2", "c:3");
        Node b = nodes.start("b", 2, security("pki", "b", "groups = [ blue, green ]"), "a:1", "c:3");
        Node c = nodes.start("c", 3, security("pki", "c", "groups = [ red ]"), "a:1", "b:2");
        awaitState(a, "b", LinkState.UP);
        awaitState(b, "a", LinkState.UP);
        awaitState(a, "c", LinkState.UP);
        awaitState(c, "a", LinkState.UP);

        assertEquals(true, a.snapshot("b").security().secure());
        assertEquals("groups:blue", a.snapshot("b").security().reason());
        assertNotNull(a.snapshot("b").cipherSuite(), "a secure link names its cipher suite");
        assertNotNull(a.snapshot("b").peerCertificate());
        assertEquals(false, a.snapshot("c").security().secure());
        assertEquals("no-common-group", a.snapshot("c").security().reason());
        assertNull(a.snapshot("c").cipherSuite());

        for (int i = 0; i < 20; i++) {
            byte[] toB = TestNodes.frame(b.mac(), a.mac(), FRAME, MARKER);
            a.tap().inject(toB);
            assertArrayEquals(toB, b.tap().takeWritten(3000), "frame over the secure link arrives intact");
            byte[] toC = TestNodes.frame(c.mac(), a.mac(), FRAME, MARKER);
            a.tap().inject(toC);
            assertArrayEquals(toC, c.tap().takeWritten(3000), "frame over the plaintext link arrives intact");
        }
        // counted by size: keepalives alone would meet a count of all datagrams
        assertEquals(20, count(sealed, "192.0.2.1-192.0.2.2"), "the 20 frames crossed a -> b sealed");
        assertEquals(0, count(plain, "192.0.2.1-192.0.2.2"), "and none in plaintext");
        assertNull(markerSeen.get("192.0.2.1-192.0.2.2"), "the marker never appears on the secure link");
        assertEquals(20, count(plain, "192.0.2.1-192.0.2.3"), "the 20 frames crossed a -> c in plaintext");
        assertEquals(20, count(markerSeen, "192.0.2.1-192.0.2.3"), "the marker is visible on the plaintext link, in each");
    }

    @Test
    void aCertificateFromAnotherCaNeverGetsALinkAndBothSidesSayWhy() {
        Node a = nodes.start("a", 1, security("pki", "a", "groups = [ blue ]"), "c:3");
        Node impostor = nodes.start("c", 3, security("other", "c", "groups = [ blue ]"), "a:1");
        TestNodes.await(() -> a.snapshot("c").reason().contains("not issued by this overlay's CA"),
                "a says why it refuses c: " + a.snapshot("c").reason());
        TestNodes.await(() -> impostor.snapshot("a").reason().contains("peer"),
                "c shows a's refusal or its own: " + impostor.snapshot("a").reason());
        sleep(1500);
        assertEquals(LinkState.CONNECTING, a.snapshot("c").state());
        assertEquals(LinkState.CONNECTING, impostor.snapshot("a").state());
    }

    @Test
    void aNodeWithoutCertificateGetsNoLinkToANodeThatRequiresOneAndBothSayWhy() {
        Node a = nodes.start("a", 1, security("pki", "a", "groups = [ blue ]"), "c:3");
        Node plain = nodes.start("c", 3, "security.mode = never", "a:1");
        TestNodes.await(() -> a.snapshot("c").reason().contains("no certificate"), "a: " + a.snapshot("c").reason());
        TestNodes.await(() -> plain.snapshot("a").reason().contains("refused"), "c: " + plain.snapshot("a").reason());
        assertEquals(LinkState.CONNECTING, a.snapshot("c").state());
        assertEquals(LinkState.CONNECTING, plain.snapshot("a").state());
    }

    @Test
    void securePeersForceDtlsWithoutACommonGroup() throws Exception {
        Map<String, AtomicInteger> markerSeen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> sealed = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> plain = new ConcurrentHashMap<>();
        observe(markerSeen, sealed, plain);
        Node a = nodes.start("a", 1, security("pki", "a", "groups = [ blue ]\nsecurity.secure-peers = [ \"10.77.0.3\" ]"), "c:3");
        Node c = nodes.start("c", 3, security("pki", "c", "groups = [ red ]"), "a:1");
        awaitState(a, "c", LinkState.UP);
        awaitState(c, "a", LinkState.UP);
        assertEquals(new SecurityDecision(true, "secure-peer"), a.snapshot("c").security());
        assertEquals(new SecurityDecision(true, "peer-requires"), c.snapshot("a").security());
        assertNotNull(a.snapshot("c").cipherSuite(), "a secure link names its cipher suite");
        assertEquals(a.snapshot("c").cipherSuite(), c.snapshot("a").cipherSuite());
        for (int i = 0; i < 5; i++) {
            byte[] f = TestNodes.frame(c.mac(), a.mac(), FRAME, MARKER);
            a.tap().inject(f);
            assertArrayEquals(f, c.tap().takeWritten(3000));
        }
        assertEquals(5, count(sealed, "192.0.2.1-192.0.2.3"), "the frames crossed sealed");
        assertEquals(0, count(plain, "192.0.2.1-192.0.2.3"), "and none in plaintext");
        assertNull(markerSeen.get("192.0.2.1-192.0.2.3"), "the marker never appears on the wire");
    }

    /** Counts, per pair of underlay addresses, datagrams with the marker and {@link #FRAME}-byte frames sealed or plain. */
    private void observe(Map<String, AtomicInteger> markerSeen, Map<String, AtomicInteger> sealed, Map<String, AtomicInteger> plain) {
        nodes.network.setObserver((from, to, d) -> {
            String pair = pair(from, to);
            if (contains(d, MARKER)) {
                markerSeen.computeIfAbsent(pair, k -> new AtomicInteger()).incrementAndGet();
            }
            if (d.length == FRAME + SecureChannel.OVERHEAD) {
                sealed.computeIfAbsent(pair, k -> new AtomicInteger()).incrementAndGet();
            } else if (d.length == FRAME + FrameHeader.LENGTH) {
                plain.computeIfAbsent(pair, k -> new AtomicInteger()).incrementAndGet();
            }
        });
    }

    private static int count(Map<String, AtomicInteger> counts, String pair) {
        AtomicInteger n = counts.get(pair);
        return n == null ? 0 : n.get();
    }

    private static String security(String pki, String name, String more) {
        Path p = dir.resolve(pki);
        return """
                security {
                  mode = by-group
                  ca = "%s"
                  cert = "%s"
                  key = "%s"
                }
                %s
                """.formatted(p.resolve("ca.crt"), p.resolve(name + ".crt"), p.resolve(name + ".key"), more);
    }

    private static String pair(Endpoint from, Endpoint to) {
        String x = from.address().getAddress().getHostAddress();
        String y = to.address().getAddress().getHostAddress();
        return x.compareTo(y) < 0 ? x + "-" + y : y + "-" + x;
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static OverlayAddress addr(int host) {
        return OverlayAddress.parse("10.77.0." + host + "/24", true);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
