package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Data the overlay accepts arrives intact: 200 MB over a plaintext and over a secure link with the same
 * SHA-256 at both ends, then smaller transfers while nftables drops 5% and 20% of the underlay UDP
 * arriving at the receiver, during which the links stay up. Prints the throughput of each for
 * docs/reliability.md (lines starting with {@code reliability:}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IntegrityNetnsIT {
    private static final long MB = 1_000_000;
    private static MixedOverlay overlay;

    @BeforeAll
    static void startOverlay() throws Exception {
        Shell.requireRoot();
        // the production JIT: 200 MB transfers at full speed
        overlay = new MixedOverlay("IntegrityNetnsIT", Map.of(), List.of(NodeProcess.FULL_JIT));
        overlay.startAll();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (overlay != null) {
            overlay.close();
        }
    }

    @ParameterizedTest(name = "200 MB a -> {0} ({1} link)")
    @CsvSource({"c, plaintext", "b, secure"})
    @Order(1)
    void twoHundredMegabytesArriveIntact(String to, String kind) throws Exception {
        assertEquals(kind.equals("secure"), overlay.node("a").link(to).path("secure").asBoolean());
        long outBefore = overlay.node("a").link(to).path("bytes_out").asLong();
        JsonNode tapBefore = overlay.node(to).dataplane();

        MixedOverlay.Outcome o = overlay.transfer("a", to, 200 * MB, Duration.ofSeconds(90));

        JsonNode tapAfter = overlay.node(to).dataplane();
        long frames = tapAfter.path("frames_to_tap").asLong() - tapBefore.path("frames_to_tap").asLong();
        long writes = tapAfter.path("tap_writes").asLong() - tapBefore.path("tap_writes").asLong();
        report("integrity a->" + to + " (" + kind + ", 0% loss, " + to + " wrote " + frames + " frames to its TAP in "
                + writes + " writes)", o);
        // the receiver joins the TCP segments of a burst into super-frames (tap/linux/Coalescer): the digest
        // above proves them right, this that it happened
        assertTrue(frames > 100_000 && writes > 0 && writes < frames, frames + " frames in " + writes + " writes");
        assertTrue(o.intact(), "SHA-256 at both ends: " + o);
        assertEquals(200 * MB, o.received().bytes());
        long carried = overlay.node("a").link(to).path("bytes_out").asLong() - outBefore;
        assertTrue(carried > 200 * MB, "the link's counters saw the transfer: " + carried + " bytes");
    }

    @ParameterizedTest(name = "{1}% loss into {0}: {2} MB arrive intact, links stay up")
    @CsvSource({"c, 5, 100", "b, 5, 100", "c, 20, 30", "b, 20, 30"})
    @Order(2)
    void transfersCompleteAndLinksStayUpUnderRandomLoss(String to, int percent, int megabytes) throws Exception {
        JsonNode before = overlay.node("a").link(to);
        JsonNode peerBefore = overlay.node(to).link("a");
        assertEquals("up", before.path("state").asText());
        overlay.topology.dropUdpIn(to, 5800, percent);
        MixedOverlay.Outcome o;
        long dropped;
        try {
            o = overlay.transfer("a", to, megabytes * MB, Duration.ofSeconds(120));
        } finally {
            dropped = overlay.topology.droppedUdpIn(to);
            overlay.topology.clearDrops(to);
        }
        String kind = before.path("secure").asBoolean() ? "secure" : "plaintext";
        report("loss a->" + to + " (" + kind + ", " + percent + "% loss, " + dropped + " datagrams dropped)", o);
        assertTrue(o.intact(), "SHA-256 at both ends: " + o);
        assertEquals(megabytes * MB, o.received().bytes());
        assertTrue(dropped > 0, "nftables dropped datagrams");
        assertStillUpSince(overlay.node("a"), to, before);
        assertStillUpSince(overlay.node(to), "a", peerBefore);
    }

    /** The link is up and entered that state before the transfer: it never went down in between. */
    private static void assertStillUpSince(NodeProcess n, String peer, JsonNode before) {
        JsonNode now = n.link(peer);
        assertEquals("up", now.path("state").asText(), n.host() + " -> " + peer + ": " + now);
        assertEquals(before.path("since").asText(), now.path("since").asText(),
                n.host() + " -> " + peer + " went down and up again during the transfer: " + now);
    }

    private static void report(String what, MixedOverlay.Outcome o) {
        System.out.printf("reliability: %s: %d bytes in %.2f s = %.1f Mbit/s, sha256 %s %s%n", what,
                o.received().bytes(), o.received().seconds(), o.received().mbitPerSecond(),
                o.received().sha256().substring(0, 16), o.intact() ? "matches" : "DIFFERS from " + o.sent().sha256());
    }
}
