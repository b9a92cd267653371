package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipop.dataplane.DataplaneSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real node processes in network namespaces on one bridge: ping across every pair, iperf3,
 * SIGKILL and restart of a node, SIGTERM. Needs root (CI runs as root).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayNetnsIT {
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "c", 3);
    private static final Duration DEAD_AFTER = Duration.ofSeconds(3);
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    /** These nodes warm their data path up and run C2 as a node does by default (the other tests' nodes do neither). */
    private static final List<String> WARM_UP =
            List.of("-Dipop.dataplane.warm-up-frames=" + DataplaneSettings.DEFAULT_WARM_UP_FRAMES, NodeProcess.FULL_JIT);

    private static Topology topology;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    @BeforeAll
    static void startOverlay() throws Exception {
        Shell.requireRoot();
        topology = new Topology();
        for (String h : new String[] {"a", "b", "c"}) {
            topology.host(h, HOSTS.get(h));
        }
        for (String h : HOSTS.keySet()) {
            nodes.put(h, NodeProcess.start(topology, h, config(h), "OverlayNetnsIT", WARM_UP));
        }
        for (NodeProcess n : nodes.values()) {
            n.await(START_LIMIT, "/ready", NodeProcess::ready);
        }
        for (NodeProcess n : nodes.values()) {
            for (String peer : HOSTS.keySet()) {
                if (!peer.equals(n.host())) {
                    n.await(Duration.ofSeconds(20), "link to " + peer + " up", x -> "up".equals(x.linkState(peer)));
                }
            }
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    @Order(1)
    void pingWorksBetweenEveryPair() {
        for (String from : HOSTS.keySet()) {
            for (String to : HOSTS.keySet()) {
                if (!from.equals(to)) {
                    assertPing(from, to);
                }
            }
        }
    }

    @Test
    @Order(1)
    void everyNodeRanItsDataPathWarmUpAndEveryFrameCameThrough() {
        String expected = "data path warmed up: " + DataplaneSettings.DEFAULT_WARM_UP_FRAMES + " synthetic frames each way";
        for (NodeProcess n : nodes.values()) {
            n.await(Duration.ofSeconds(60), "the warm-up's log line", x -> logHas(x, expected));
            assertFalse(logHas(n, "data path warm-up"), n.host() + " logged a warm-up problem\n" + n.logTail());
        }
    }

    @Test
    @Order(1)
    void theTapHoldsTheConfiguredQueueOfFrames() {
        for (String host : HOSTS.keySet()) {
            Shell.Result tap = topology.exec(host, Duration.ofSeconds(5), "ip", "link", "show", "ipop0");
            assertTrue(tap.ok() && tap.output().contains(" qlen 4096"), host + ": reference.conf's tap.tx-queue-length\n" + tap.output());
        }
    }

    private static boolean logHas(NodeProcess n, String text) {
        try {
            return Files.readString(n.log()).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Order(2)
    void managementApiDescribesNodeLinksAndDataplane() {
        NodeProcess a = nodes.get("a");
        JsonNode node = a.get("/overlay/node");
        assertEquals("a", node.path("name").asText());
        assertEquals("10.77.0.1", node.path("overlay_ip").asText());
        assertEquals(2, node.path("links_up").asInt());
        assertTrue(node.path("mac").asText().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), node.toString());
        JsonNode toB = a.link("b");
        assertEquals("10.77.0.2", toB.path("overlay_ip").asText());
        assertEquals("192.0.2.2:5800", toB.path("endpoint").asText());
        assertTrue(toB.path("packets_in").asLong() > 0, "pings were counted: " + toB);
        assertTrue(toB.path("rtt_ms").isNumber(), "keepalive RTT measured: " + toB);
        JsonNode dp = a.get("/overlay/dataplane");
        assertEquals(256, dp.path("inbound_buffer").asInt());
        assertEquals(0, dp.path("drops").path("classify").path("malformed_control").asLong());
        assertTrue(dp.path("datagrams_in").asLong() > 0, dp.toString());
    }

    @Test
    @Order(3)
    void iperf3MovesDataAcrossTheOverlay() throws Exception {
        Shell.Result[] serverResult = new Shell.Result[1];
        Thread serverThread = new Thread(() -> serverResult[0] = topology.exec("b", Duration.ofSeconds(30),
                "iperf3", "-s", "-1", "-B", overlayIp("b")));
        serverThread.start();
        Thread.sleep(500);
        Shell.Result client = topology.exec("a", Duration.ofSeconds(30), "iperf3", "-c", overlayIp("b"), "-t", "3", "-J");
        serverThread.join(35_000);
        assertEquals(0, client.exit(), client.output());
        JsonNode report = new ObjectMapper().readTree(client.output());
        double bps = report.path("end").path("sum_received").path("bits_per_second").asDouble();
        System.out.printf("iperf3 a -> b over the overlay: %.1f Mbit/s%n", bps / 1e6);
        assertTrue(bps > 0, "iperf3 received nothing: " + client.output());
        JsonNode linkAtoB = nodes.get("a").link("b");
        assertTrue(linkAtoB.path("bytes_out").asLong() > (long) (bps / 8), "a's link counters saw the transfer: " + linkAtoB);
    }

    @Test
    @Order(4)
    void killedPeerIsLostWithinDeadAfterAndRelinkedAfterRestart() throws Exception {
        nodes.get("c").kill();
        long t0 = System.nanoTime();
        NodeProcess a = nodes.get("a");
        NodeProcess b = nodes.get("b");
        a.await(DEAD_AFTER.plusSeconds(3), "c lost", x -> "lost".equals(x.linkState("c")));
        long lostMs = (System.nanoTime() - t0) / 1_000_000;
        b.await(DEAD_AFTER.plusSeconds(3), "c lost", x -> "lost".equals(x.linkState("c")));
        System.out.println("a marked c lost " + lostMs + " ms after SIGKILL (dead-after " + DEAD_AFTER.toMillis() + " ms)");
        // silence starts at the last frame heard, before the kill; allow 500 ms for polling the API
        assertTrue(lostMs <= DEAD_AFTER.toMillis() + 500, "lost after " + lostMs + " ms");
        assertEquals("up", a.linkState("b"), "the other link is untouched");

        NodeProcess c = NodeProcess.start(topology, "c", config("c"), "OverlayNetnsIT");
        nodes.put("c", c);
        c.await(START_LIMIT, "/ready", NodeProcess::ready);
        a.await(Duration.ofSeconds(20), "c up again", x -> "up".equals(x.linkState("c")));
        b.await(Duration.ofSeconds(20), "c up again", x -> "up".equals(x.linkState("c")));
        c.await(Duration.ofSeconds(20), "links to a and b up", x -> "up".equals(x.linkState("a")) && "up".equals(x.linkState("b")));
        assertPing("a", "c");
        assertPing("c", "b");
    }

    @Test
    @Order(5)
    void sigtermStopsANodeCleanlyAndItsPeersHearAtOnce() throws Exception {
        NodeProcess b = nodes.get("b");
        long t0 = System.nanoTime();
        int exit = b.terminate(Duration.ofSeconds(10));
        long stopMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, exit, "exit code after SIGTERM\n" + b.logTail());
        assertTrue(stopMs < 5000, "stopped in " + stopMs + " ms");
        nodes.get("a").await(Duration.ofSeconds(2), "b lost on close", x -> "lost".equals(x.linkState("b")));
        String reason = nodes.get("a").link("b").path("reason").asText();
        assertTrue(reason.contains("closed"), reason);
        Shell.Result tap = topology.exec("b", Duration.ofSeconds(5), "ip", "link", "show", "ipop0");
        assertTrue(!tap.ok(), "TAP device removed after exit: " + tap.output());
    }

    private static void assertPing(String from, String to) {
        Shell.Result r = topology.exec(from, Duration.ofSeconds(15), "ping", "-c", "2", "-i", "0.2", "-W", "2", overlayIp(to));
        assertEquals(0, r.exit(), "ping " + from + " -> " + to + "\n" + r.output());
        assertTrue(r.output().contains(" 0% packet loss"), r.output());
    }

    private static String overlayIp(String host) {
        return "10.77.0." + HOSTS.get(host);
    }

    private static String config(String host) {
        StringBuilder peers = new StringBuilder();
        HOSTS.forEach((name, i) -> {
            if (!name.equals(host)) {
                peers.append("{ name = \"").append(name).append("\", endpoint = \"192.0.2.").append(i).append(":5800\" }\n");
            }
        });
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "%s/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = 5800 }
                  peers = [ %s ]
                  groups = [ "blue" ]
                  link { keepalive-interval = 500ms, dead-after = %dms, retry-min = 250ms, retry-max = 2s }
                }
                """.formatted(host, overlayIp(host), peers, DEAD_AFTER.toMillis());
    }
}
