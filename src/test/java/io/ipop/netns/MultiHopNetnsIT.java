package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.management.PrometheusText;
import io.ipop.topology.RingId;
import io.ipop.wire.Forward;
import io.ipop.wire.FrameHeader;
import io.ipop.wire.FrameType;
import io.ipop.wire.PeerId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * End-to-end multi-hop forwarding (issue 20, item 2) with real nodes: the {@link MixedOverlay} (a and b in blue:
 * their link is secure; c in red) where the underlay between a and b is cut, so their link can only run over the
 * overlay, through c (on the ring of these names c lies between a and b, so greedy routing goes through it both
 * ways; a cut a-c could not be routed from c: b is farther from a than c is, a dead end). When the cut heals, a-b
 * moves to its direct path. A host x that is no node sends c FORWARD datagrams: no open relay. And the same with
 * a and b in {@code mode = never}: a plaintext pair over the overlay.
 */
class MultiHopNetnsIT {
    private static final byte[] SECRET = "a-to-b-overlay!!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTROL = "a-to-c-control!!".getBytes(StandardCharsets.US_ASCII);
    private static final String FAST = """
            ipop.nat.direct-timeout = 2s
            """;

    @Test
    void aSecurePairRunsEndToEndThroughANodeThatNeverSeesItsPlaintextAndNoOpenRelay() throws Exception {
        assumeTrue(Shell.isRoot(), "needs root for namespaces");
        try (MixedOverlay overlay = new MixedOverlay("MultiHopNetnsIT", Map.of("x", 9))) {
            Topology topology = overlay.topology;
            for (String h : List.of("a", "b", "c")) {
                overlay.configure(h, FAST);
            }
            cut(topology, "a", "b");
            overlay.startAll();                          // every pair up: a-b over the overlay

            // 1. the secure pair a-b runs over c; c forwards sealed datagrams and never sees the plaintext
            NodeProcess a = overlay.node("a");
            NodeProcess b = overlay.node("b");
            NodeProcess c = overlay.node("c");
            a.await(Duration.ofSeconds(10), "a-b over the overlay via c", n -> "overlay(via=c)".equals(path(n, "b")));
            b.await(Duration.ofSeconds(10), "b-a over the overlay via c", n -> "overlay(via=c)".equals(path(n, "a")));
            assertTrue(a.link("b").path("secure").asBoolean(), "a-b is secure end to end: " + a.link("b"));
            assertEquals("direct", path(a, "c"));
            Path file = overlay.dir.resolve("c-capture.pcap");
            Process tcpdump = capture(topology, overlay.dir, "c", file);
            try {
                Shell.Result ping = topology.exec("a", Duration.ofSeconds(20), "ping", "-c", "20", "-i", "0.1", "-W", "2",
                        "-p", HexFormat.of().formatHex(SECRET), MixedOverlay.overlayIp("b"));
                assertTrue(ping.output().contains(" 0% packet loss"), "a->b over the overlay: " + ping.output());
                topology.exec("a", Duration.ofSeconds(10), "ping", "-c", "3", "-i", "0.2", "-W", "1",
                        "-p", HexFormat.of().formatHex(CONTROL), MixedOverlay.overlayIp("c"));
                Thread.sleep(500);
            } finally {
                Shell.stop(tcpdump);
            }
            byte[] seen = Files.readAllBytes(file);
            assertTrue(Pcap.contains(seen, CONTROL), "the capture in c saw a's pings to c (it works)");
            assertFalse(Pcap.contains(seen, SECRET), "a-b's marker crossed c in clear");
            long forwardedByC = c.link("a").path("forwarded_packets").asLong() + c.link("b").path("forwarded_packets").asLong();
            assertTrue(forwardedByC >= 40, "c forwarded the 20 pings and their answers: " + forwardedByC);
            Shell.Result metrics = topology.exec("c", Duration.ofSeconds(10), "curl", "-fsS", "--max-time", "5",
                    "http://127.0.0.1:8558/metrics");
            Map<String, Double> m = PrometheusText.parse(metrics.output());
            double inMetrics = m.getOrDefault("ipop_link_forwarded_datagrams_total{peer=a}", 0.0)
                    + m.getOrDefault("ipop_link_forwarded_datagrams_total{peer=b}", 0.0);
            assertTrue(inMetrics >= forwardedByC, "c's /metrics counts what it forwarded (" + forwardedByC + "): " + inMetrics);

            // 2. no open relay: x (no node) sends c FORWARDs toward b; c passes none on
            long before = c.drops("forward", "unlinked_source");
            long unknownAtB = b.drops("classify", "unknown_index");
            List<byte[]> datagrams = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                datagrams.add(forwardToB(i));
            }
            overlay.sendFrom("x", datagrams, "c");
            c.await(Duration.ofSeconds(10), "x's FORWARDs counted", n -> n.drops("forward", "unlinked_source") - before >= 50);
            Thread.sleep(300);
            long reachedB = b.drops("classify", "unknown_index") - unknownAtB;
            assertTrue(reachedB < 5, "c passed x's FORWARDs on to b: " + reachedB + " of their DATA reached b");

            // 3. the cut heals: a-b moves up to its direct path (same keys), and keeps working
            uncut(topology, "a");
            a.await(Duration.ofSeconds(20), "a-b back on the direct path", n -> "direct".equals(path(n, "b")));
            overlay.ping("a", "b");
            overlay.ping("b", "a");
        }
    }

    /** a and b in {@code mode = never}: their link is plaintext, and runs over the overlay through c all the same. */
    @Test
    void aPlaintextPairPingsOverTheOverlay() throws Exception {
        assumeTrue(Shell.isRoot(), "needs root for namespaces");
        try (MixedOverlay overlay = new MixedOverlay("MultiHopNetnsIT-plain", Map.of())) {
            Topology topology = overlay.topology;
            overlay.configure("a", FAST + "ipop.security.mode = never\n");
            overlay.configure("b", FAST + "ipop.security.mode = never\n");
            overlay.configure("c", FAST);
            cut(topology, "a", "b");
            overlay.startAll();
            NodeProcess a = overlay.node("a");
            a.await(Duration.ofSeconds(10), "a-b over the overlay via c", n -> "overlay(via=c)".equals(path(n, "b")));
            overlay.node("b").await(Duration.ofSeconds(10), "b-a via c", n -> "overlay(via=c)".equals(path(n, "a")));
            assertFalse(a.link("b").path("secure").asBoolean(), "a-b is plaintext: " + a.link("b"));
            overlay.ping("b", "a");
            // the capture check of the secure test, on a plaintext pair: here the marker must show at c, so that
            // check would catch a node in between that carried a secure pair's frames in clear
            Path file = overlay.dir.resolve("c-capture-plain.pcap");
            Process tcpdump = capture(topology, overlay.dir, "c", file);
            try {
                Shell.Result ping = topology.exec("a", Duration.ofSeconds(20), "ping", "-c", "5", "-i", "0.1", "-W", "2",
                        "-p", HexFormat.of().formatHex(SECRET), MixedOverlay.overlayIp("b"));
                assertTrue(ping.output().contains(" 0% packet loss"), "a->b plaintext over the overlay: " + ping.output());
                Thread.sleep(500);
            } finally {
                Shell.stop(tcpdump);
            }
            assertTrue(Pcap.contains(Files.readAllBytes(file), SECRET), "a plaintext pair's marker shows at c");
            assertEquals(0, overlay.node("b").drops("classify", "wrong_address"), "b took a's plaintext from a's overlay path");
        }
    }

    private static String path(NodeProcess n, String peer) {
        JsonNode l = n.link(peer);
        return l == null ? null : l.path("path").asText(null);
    }

    /** A FORWARD from "a" to "b" with an inner DATA datagram, as x forges it. */
    private static byte[] forwardToB(int i) {
        byte[] inner = new byte[FrameHeader.LENGTH + 64];
        FrameHeader.write(inner, 0, FrameType.DATA, 0x1000 + i);
        PeerId b = PeerId.of("b");
        return Forward.wrap(Forward.prefix(b, RingId.of(b).bits(), PeerId.of("a")), 8, inner, 0, inner.length);
    }

    /** Drops all underlay traffic between {@code host} and {@code other} in {@code host}'s namespace. */
    private static void cut(Topology topology, String host, String other) {
        String ip = MixedOverlay.underlayIp(other);
        exec(topology, host, "nft", "add", "table", "inet", "ipopcut");
        exec(topology, host, "nft", "add", "chain", "inet", "ipopcut", "in", "{ type filter hook input priority 0; policy accept; }");
        exec(topology, host, "nft", "add", "chain", "inet", "ipopcut", "out", "{ type filter hook output priority 0; policy accept; }");
        exec(topology, host, "nft", "add", "rule", "inet", "ipopcut", "in", "ip", "saddr", ip, "drop");
        exec(topology, host, "nft", "add", "rule", "inet", "ipopcut", "out", "ip", "daddr", ip, "drop");
    }

    private static void uncut(Topology topology, String host) {
        exec(topology, host, "nft", "delete", "table", "inet", "ipopcut");
    }

    private static void exec(Topology topology, String host, String... cmd) {
        Shell.Result r = topology.exec(host, Duration.ofSeconds(5), cmd);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + ": " + r.output());
        }
    }

    private static Process capture(Topology topology, Path dir, String host, Path file) throws Exception {
        Path log = dir.resolve("tcpdump-" + host + ".log");
        Process p = new ProcessBuilder("ip", "netns", "exec", topology.ns(host), "tcpdump", "--immediate-mode", "-i", "any",
                "-U", "-Z", "root", "-w", file.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Tcpdump.awaitListening(p, log);
        return p;
    }
}
