package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import io.ipop.topology.NextHop;
import io.ipop.topology.RingId;
import io.ipop.wire.PeerId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Overlay sessions on demand (issue 20, items 2 and 3) with real nodes: five cluster-discovered nodes in
 * {@code topology.mode = structured} with one successor each side and no long-distance link, so each links its
 * two ring neighbours only. A ping between two nodes that are not neighbours opens an overlay session (the ARP
 * request for the member's address asks for it); x and y share group blue (their session is secure end to end),
 * p is green, the others red. A capture on the node in between never holds x-y's marker. A plaintext pair of
 * non-neighbours pings too. Then iperf3 between x and y passes {@code on-demand.threshold} and their session
 * moves to a direct path, without a reset.
 */
class OverlaySessionNetnsIT {
    private static final String TEST = "OverlaySessionNetnsIT";
    private static final List<String> NAMES = List.of("a", "b", "c", "d", "e");
    private static final byte[] SECRET = "x-to-y-on-demand".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTROL = "x-to-m-control!!".getBytes(StandardCharsets.US_ASCII);

    @Test
    void nonNeighboursGetOverlaySessionsOnDemandSecureEndToEndAndADirectLinkUnderLoad() throws Exception {
        Shell.requireRoot();
        List<String> ring = new ArrayList<>(NAMES);
        ring.sort(Comparator.comparing(n -> RingId.of(PeerId.of(n))));
        String x = ring.get(0);
        String y = ring.get(2);
        String p = ring.get(1);
        String q = ring.get(3);
        List<String> xToY = greedyPath(ring, x, y);
        List<String> yToX = greedyPath(ring, y, x);
        String m = xToY.get(0);
        Path dir = NodeProcess.logDir(TEST);
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, true);
        Map<String, NodeProcess> nodes = new LinkedHashMap<>();
        Topology topology = new Topology();
        try {
            for (String n : NAMES) {
                String group = group(n, x, y, p);
                OverlayCa.sign(pki, n, OverlayAddress.parse(ip(n) + "/24", true), List.of(group), Duration.ofDays(1), true);
                topology.host(n, host(n));
            }
            for (String n : NAMES) {
                nodes.put(n, NodeProcess.start(topology, n, config(n, pki, group(n, x, y, p)), TEST));
            }
            for (NodeProcess n : nodes.values()) {
                n.await(Duration.ofSeconds(90), "/ready", NodeProcess::ready);
            }
            for (int i = 0; i < ring.size(); i++) {
                String succ = ring.get((i + 1) % ring.size());
                nodes.get(ring.get(i)).await(Duration.ofSeconds(60), "ring link to " + succ, n -> "up".equals(n.linkState(succ)));
            }
            assertEquals(null, nodes.get(x).linkState(y), "x and y are no neighbours: no link before traffic");

            // 1. traffic opens a secure overlay session x-y (the first packets may be lost)
            topology.exec(x, Duration.ofSeconds(20), "ping", "-c", "8", "-i", "0.5", "-W", "1", ip(y));
            NodeProcess nx = nodes.get(x);
            String via = "overlay(via=" + String.join(",", yToX) + ")";
            nx.await(Duration.ofSeconds(20), "x-y " + via, n -> via.equals(path(n, y)));
            assertEquals("overlay", nx.link(y).path("discovered_by").asText());
            assertTrue(nx.link(y).path("secure").asBoolean(), "x-y secure end to end: " + nx.link(y));
            Path file = dir.resolve("capture-" + m + ".pcap");
            Process tcpdump = topology.spawn(m, dir.resolve("tcpdump.log"), List.of("tcpdump", "--immediate-mode", "-i", "any",
                    "-U", "-Z", "root", "-w", file.toString()));
            try {
                Tcpdump.awaitListening(tcpdump, dir.resolve("tcpdump.log"));
                Shell.Result ping = topology.exec(x, Duration.ofSeconds(20), "ping", "-c", "20", "-i", "0.1", "-W", "2",
                        "-p", HexFormat.of().formatHex(SECRET), ip(y));
                assertTrue(ping.output().contains(" 0% packet loss"), "x->y over the overlay: " + ping.output());
                System.out.println("overlay x->y (" + x + "->" + y + " via " + xToY + "): " + lastLine(ping.output()));
                topology.exec(x, Duration.ofSeconds(10), "ping", "-c", "3", "-i", "0.2", "-W", "1",
                        "-p", HexFormat.of().formatHex(CONTROL), ip(m));
                Thread.sleep(500);
            } finally {
                Shell.stop(tcpdump);
            }
            byte[] seen = Files.readAllBytes(file);
            assertTrue(Pcap.contains(seen, CONTROL), "the capture in " + m + " saw x's pings to it (it works)");
            assertFalse(Pcap.contains(seen, SECRET), "x-y's marker crossed " + m + " in clear");

            // 2. a plaintext pair of non-neighbours (p green, q red), once the topology retired any link between them
            nodes.get(p).await(Duration.ofSeconds(30), "no direct p-q link", n -> n.linkState(q) == null);
            topology.exec(p, Duration.ofSeconds(20), "ping", "-c", "8", "-i", "0.5", "-W", "1", ip(q));
            nodes.get(p).await(Duration.ofSeconds(20), "p-q over the overlay",
                    n -> path(n, q) != null && path(n, q).startsWith("overlay(via="));
            assertFalse(nodes.get(p).link(q).path("secure").asBoolean(), "p-q plaintext: " + nodes.get(p).link(q));
            Shell.Result plain = topology.exec(p, Duration.ofSeconds(20), "ping", "-c", "10", "-i", "0.1", "-W", "2", ip(q));
            assertTrue(plain.output().contains(" 0% packet loss"), "p->q over the overlay: " + plain.output());

            // 3. sustained traffic x-y earns a direct link: the session moves there, iperf3 runs on without a reset
            Process server = topology.spawn(y, dir.resolve("iperf3-server.log"), List.of("iperf3", "-s", "-1", "-B", ip(y)));
            Path clientOut = dir.resolve("iperf3-client.log");
            Process client = null;
            try {
                Thread.sleep(500);
                long start = System.nanoTime();
                client = topology.spawn(x, clientOut, List.of("iperf3", "-c", ip(y), "-t", "8", "--connect-timeout", "3000"));
                nx.await(Duration.ofSeconds(10), "x-y direct within 10 s of iperf3's start", n -> "direct".equals(path(n, y)));
                double movedAfter = (System.nanoTime() - start) / 1e9;
                assertTrue(client.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "iperf3 ended");
                String out = Files.readString(clientOut);
                assertEquals(0, client.exitValue(), "iperf3 x->y across the move (no reset): " + out);
                System.out.printf("on-demand direct: x-y path direct %.1f s after iperf3 began (%s)%n%s%n", movedAfter,
                        nx.link(y).path("reason").asText(), out.lines().filter(l -> l.contains("sender") || l.contains("receiver"))
                                .reduce("", (a, b) -> a + b + "\n"));
            } finally {
                Shell.stop(client);
                Shell.stop(server);
            }
            assertEquals("overlay", nx.link(y).path("discovered_by").asText());
        } finally {
            Topology.tearDown(nodes.values(), topology);
        }
    }

    /** The nodes in between from {@code from} to {@code to} when each node links its two ring neighbours. */
    static List<String> greedyPath(List<String> ring, String from, String to) {
        List<String> between = new ArrayList<>();
        String at = from;
        while (true) {
            int i = ring.indexOf(at);
            List<PeerId> links = List.of(PeerId.of(ring.get((i + 1) % ring.size())),
                    PeerId.of(ring.get((i + ring.size() - 1) % ring.size())));
            PeerId next = NextHop.of(PeerId.of(at), links).toward(RingId.of(PeerId.of(to)));
            if (next == null) {
                throw new AssertionError("dead end at " + at);
            }
            if (next.name().equals(to)) {
                return between;
            }
            between.add(next.name());
            at = next.name();
        }
    }

    private static String lastLine(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static String path(NodeProcess n, String peer) {
        JsonNode l = n.link(peer);
        return l == null ? null : l.path("path").asText(null);
    }

    /** x and y share blue (secure), p is green (plaintext with everyone), the others red. */
    private static String group(String n, String x, String y, String p) {
        return n.equals(x) || n.equals(y) ? "blue" : n.equals(p) ? "green" : "red";
    }

    private static int host(String n) {
        return NAMES.indexOf(n) + 1;
    }

    private static String ip(String n) {
        return "10.77.0." + host(n);
    }

    private static String config(String n, Path pki, String group) {
        Path abs = pki.toAbsolutePath();
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "%s/24" }
                  discovery { static = false, cluster = true }
                  groups = [ "%s" ]
                  security { ca = "%s", cert = "%s", key = "%s" }
                  link { keepalive-interval = 500ms, dead-after = 3s, retry-min = 250ms, retry-max = 2s }
                  topology { mode = structured, successors = 1, long-distance = 0 }
                }
                pekko.remote.artery.canonical.hostname = "192.0.2.%d"
                pekko.cluster.seed-nodes = [ "pekko://ipop@192.0.2.1:17355" ]
                """.formatted(n, ip(n), group, abs.resolve("ca.crt"), abs.resolve(n + ".crt"), abs.resolve(n + ".key"), host(n));
    }
}
