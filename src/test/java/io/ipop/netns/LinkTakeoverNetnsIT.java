package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.FrameType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An attacker host x on the underlay tries to take over c's plaintext link to a (docs/security.md, "Attacks
 * and defences: link setup"). Every node holds a certificate of the overlay CA; c runs in {@code mode = never}.
 * <ol>
 *   <li>x sends unsigned {@code con_req}s in a's name: c holds the CA, so it refuses them whatever its mode —
 *       the link stays as it was, at a's address;</li>
 *   <li>while c cannot hear a (a rule in c's namespace drops a's datagrams, as an on-path attacker would),
 *       x re-sends from its own address a fresh signed {@code con_req} that a sent c (captured in a's
 *       namespace): c must not bring the link up at x's address; once a gets through again the link comes
 *       up at a's.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkTakeoverNetnsIT {
    private static final String A_ENDPOINT = MixedOverlay.underlayIp("a") + ":5800";
    private static MixedOverlay overlay;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for namespaces and TAP devices");
        overlay = new MixedOverlay("LinkTakeoverNetnsIT", Map.of("x", 9));
        overlay.configure("c", "ipop.security.mode = never\n");
        overlay.startAll();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (overlay != null) {
            overlay.close();
        }
    }

    @Test
    @Order(1)
    void unsignedHellosInACertifiedNameAreRefusedInModeNever() throws Exception {
        NodeProcess c = overlay.node("c");
        JsonNode before = c.link("a");
        assertEquals(A_ENDPOINT, before.path("endpoint").asText(), before.toString());
        long refused = c.drops("link_setup", "no_certificate");
        List<byte[]> forged = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            forged.add(new ControlCodec().encode(new ControlMessage.ConReq(ControlMessage.PROTOCOL_VERSION, "a",
                    "x-instance-" + i, MixedOverlay.overlayIp("a") + "/24", "02:00:00:00:00:99", List.of("blue"),
                    "x-nonce-" + i, 4242 + i, System.currentTimeMillis(), false, null, null, "c")));
        }
        overlay.sendFrom("x", forged, "c");
        c.await(Duration.ofSeconds(10), "5 unsigned hellos refused", n -> n.drops("link_setup", "no_certificate") >= refused + 5);
        Thread.sleep(1000);
        JsonNode after = c.link("a");
        assertEquals("up", after.path("state").asText(), after.toString());
        assertEquals(before.path("since").asText(), after.path("since").asText(), "c's link to a was reset: " + after);
        assertEquals(A_ENDPOINT, after.path("endpoint").asText(), after.toString());
        overlay.ping("c", "a");
    }

    @Test
    @Order(2)
    void aCapturedSignedHelloSentFromTheAttackersAddressDoesNotBecomeTheEndpoint() throws Exception {
        NodeProcess c = overlay.node("c");
        Path capture = overlay.dir.resolve("a-eth0.pcap").toAbsolutePath();
        Files.deleteIfExists(capture);
        overlay.topology.nft("c", """
                table inet ipopcut {
                  chain in {
                    type filter hook input priority 0; policy accept;
                    ip saddr %s udp dport 5800 counter drop
                  }
                }
                """.formatted(MixedOverlay.underlayIp("a")));
        byte[] hello;
        try {
            Process tcpdump = overlay.spawn("a", overlay.dir.resolve("tcpdump.log"), List.of("tcpdump", "--immediate-mode", "-i", "eth0", "-U",
                    "-s", "0", "-Z", "root", "-w", capture.toString(), "udp", "and", "dst", MixedOverlay.underlayIp("c")));
            try {
                c.await(Duration.ofSeconds(20), "c lost its link to a", n -> !"up".equals(n.linkState("a")));
                Thread.sleep(3000);                     // a, having lost c too, sends c requests (that c never sees)
            } finally {
                Shell.stop(tcpdump);
            }
            hello = lastRequestToC(capture);
            assertNotNull(hello, "captured a con_req from a to c that c did not see");
            long unproven = c.drops("link_setup", "unproven_path");

            overlay.sendFrom("x", List.of(hello), "c");                  // x, first and only, from its own address

            long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode link = c.link("a");
                assertFalse("up".equals(link.path("state").asText())
                        && link.path("endpoint").asText().startsWith(overlay.topology.underlayIp("x") + ":"),
                        "c's link to a came up at the attacker's address: " + link);
                Thread.sleep(100);
            }
            assertTrue(c.drops("link_setup", "unproven_path") > unproven, "x's copy was taken as no address proof");
        } finally {
            overlay.topology.exec("c", Duration.ofSeconds(10), "nft", "delete", "table", "inet", "ipopcut");
        }
        c.await(Duration.ofSeconds(30), "link to a up again", n -> "up".equals(n.linkState("a")));
        assertEquals(A_ENDPOINT, c.link("a").path("endpoint").asText(), c.link("a").toString());
        overlay.ping("c", "a");
    }

    /** The last con_req a sent to c that states a decision (a had heard c): fresh, and never seen by c. */
    private static byte[] lastRequestToC(Path capture) throws Exception {
        byte[] last = null;
        for (Pcap.Udp u : Pcap.udp(capture)) {
            byte[] p = u.payload();
            String text = new String(p, StandardCharsets.UTF_8);
            if (u.src().equals(MixedOverlay.underlayIp("a")) && u.dst().equals(MixedOverlay.underlayIp("c")) && p.length > 9
                    && FrameType.of(p[0]) == FrameType.CONTROL && text.contains("\"type\":\"con_req\"")
                    && text.contains("\"secure\":")) {
                last = p;
            }
        }
        return last;
    }
}
