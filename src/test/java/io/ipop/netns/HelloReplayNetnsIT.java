package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.secure.DtlsHandshake;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Link-setup messages captured on the underlay and replayed by an attacker x who can read but not
 * change traffic must not take an up link down: a con_req that a sent b, replayed to c within
 * hello-max-age; a DTLS ClientHello that a (the client) sent b, replayed to b once the link is up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelloReplayNetnsIT {
    private static MixedOverlay overlay;
    private static byte[] helloFromAToB;
    private static byte[] clientHelloFromAToB;

    @BeforeAll
    static void startOverlayAndCapture() throws Exception {
        Shell.requireRoot();
        overlay = new MixedOverlay("HelloReplayNetnsIT", Map.of("x", 9));
        Path capture = overlay.dir.resolve("a-eth0.pcap").toAbsolutePath();
        Files.deleteIfExists(capture);
        Process tcpdump = overlay.spawn("a", overlay.dir.resolve("tcpdump.log"),
                List.of("tcpdump", "--immediate-mode", "-i", "eth0", "-U", "-s", "0", "-Z", "root", "-w", capture.toString(), "udp", "port", "5800"));
        try {
            Tcpdump.awaitListening(tcpdump, overlay.dir.resolve("tcpdump.log"));
            overlay.startAll();
        } finally {
            Shell.stop(tcpdump);                        // SIGTERM: tcpdump flushes and exits
        }
        for (Pcap.Udp u : Pcap.udp(capture)) {
            byte[] p = u.payload();
            if (!u.src().equals(MixedOverlay.underlayIp("a")) || !u.dst().equals(MixedOverlay.underlayIp("b")) || p.length < 9) {
                continue;
            }
            String text = new String(p, StandardCharsets.UTF_8);
            // the worst case: a request that already carries a's security decision (a had heard b)
            if (FrameType.of(p[0]) == FrameType.CONTROL && text.contains("\"type\":\"con_req\"")
                    && (helloFromAToB == null || text.contains("\"secure\":"))) {
                helloFromAToB = p;
            }
            if (FrameType.of(p[0]) == FrameType.DTLS && clientHelloFromAToB == null
                    && DtlsHandshake.isClientHello(Arrays.copyOfRange(p, FrameHeader.LENGTH, p.length))) {
                clientHelloFromAToB = p;
            }
        }
        assertNotNull(helloFromAToB, "captured a con_req from a to b");
        assertNotNull(clientHelloFromAToB, "captured a ClientHello from a to b");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (overlay != null) {
            overlay.close();
        }
    }

    @Test
    @Order(1)
    void aSignedHelloReplayedToAnotherPeerLeavesItsLinkAlone() throws Exception {
        NodeProcess c = overlay.node("c");
        JsonNode before = c.link("a");
        Map<String, Long> drops = c.allDrops();
        overlay.sendFrom("x", List.of(helloFromAToB), "c");
        assertReplayCounted(c, drops, "link_setup.misaddressed");
        JsonNode after = c.link("a");
        assertEquals("up", after.path("state").asText(), after.toString());
        assertEquals(before.path("since").asText(), after.path("since").asText(), "c's link to a was reset: " + after);
        overlay.ping("c", "a");
    }

    @Test
    @Order(2)
    void aReplayedClientHelloLeavesTheUpSecureLinkAlone() throws Exception {
        NodeProcess b = overlay.node("b");
        JsonNode before = b.link("a");
        Map<String, Long> drops = b.allDrops();
        overlay.sendFrom("x", List.of(clientHelloFromAToB), "b");
        // b answers a ClientHello on the up link as a rekey, which the replay never completes: counted, keys kept
        assertReplayCounted(b, drops, "link_setup.dtls_failed");
        JsonNode after = b.link("a");
        assertEquals("up", after.path("state").asText(), after.toString());
        assertEquals(before.path("since").asText(), after.path("since").asText(), "b's link to a was reset: " + after);
        overlay.ping("a", "b");
    }

    /** The one datagram replayed arrived and was refused once, in {@code counter}, and nothing else was counted. */
    private static void assertReplayCounted(NodeProcess n, Map<String, Long> before, String counter) throws InterruptedException {
        n.await(Duration.ofSeconds(10), "the replay counted", x -> !NodeProcess.moved(before, x.allDrops()).isEmpty());
        Thread.sleep(1000);                             // anything more it would cause
        assertEquals(Map.of(counter, 1L), NodeProcess.moved(before, n.allDrops()));
    }
}
