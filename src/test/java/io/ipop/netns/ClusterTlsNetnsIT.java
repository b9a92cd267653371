package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster port over TLS with real node processes: a (the seed) and b hold certificates of one overlay CA and
 * form the cluster over Artery {@code tls-tcp}; x holds a certificate of another CA, lists a as its seed, and never
 * becomes a member while a and b keep working. A capture of a's cluster port shows every connection open with a TLS
 * handshake record and no cluster address in clear. Needs root (CI runs as root).
 */
class ClusterTlsNetnsIT {
    private static final String TEST = "ClusterTlsNetnsIT";
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "x", 9);
    private static final int CLUSTER_PORT = 17355;
    /** How long x keeps trying to join while a and b are watched. */
    private static final Duration FOREIGN_WINDOW = Duration.ofSeconds(20);
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Path DIR = Path.of(System.getProperty("ipop.jar", "target/ipop-node.jar")).toAbsolutePath()
            .getParent().resolve("netns-logs").resolve(TEST);
    private static final byte TLS_HANDSHAKE = 0x16;

    private static Topology topology;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private static List<Pcap.Tcp> captured;
    private static final Map<String, Map<String, String>> seenDuringForeignWindow = new LinkedHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        Shell.requireRoot();
        Path pki = issue("pki", "a", "b");
        Path foreign = issue("foreign-pki", "x");

        topology = new Topology();
        for (String h : List.of("a", "b", "x")) {
            topology.host(h, HOSTS.get(h));
        }
        Path capture = DIR.resolve("a-cluster.pcap").toAbsolutePath();
        Files.deleteIfExists(capture);
        Process tcpdump = topology.spawn("a", DIR.resolve("tcpdump.log"), List.of("tcpdump", "--immediate-mode", "-i", "eth0", "-U", "-s", "0",
                "-Z", "root", "-w", capture.toString(), "tcp", "port", String.valueOf(CLUSTER_PORT)));
        try {
            Tcpdump.awaitListening(tcpdump, DIR.resolve("tcpdump.log"));
            nodes.put("a", NodeProcess.start(topology, "a", config("a", pki), TEST));
            nodes.put("b", NodeProcess.start(topology, "b", config("b", pki), TEST));
            nodes.put("x", NodeProcess.start(topology, "x", config("x", foreign), TEST));
            for (NodeProcess n : nodes.values()) {
                n.await(START_LIMIT, "/ready", NodeProcess::ready);
            }
            for (String h : List.of("a", "b")) {
                nodes.get(h).await(START_LIMIT, "a and b Up", n -> upMembers(n).size() == 2);
            }
            // x keeps trying to join through a for the whole window; neither a nor b may ever list it.
            long end = System.nanoTime() + FOREIGN_WINDOW.toNanos();
            while (System.nanoTime() < end) {
                for (String h : List.of("a", "b")) {
                    Map<String, String> m = members(nodes.get(h));
                    if (m.containsKey(memberAddress("x"))) {
                        seenDuringForeignWindow.put(h, m);
                    }
                }
                Thread.sleep(500);
            }
        } finally {
            Shell.stop(tcpdump);                        // SIGTERM: tcpdump flushes and exits
        }
        captured = Pcap.tcp(capture);
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    void nodesOfOneCaFormTheClusterOverTlsAndLink() throws Exception {
        for (String h : List.of("a", "b")) {
            assertEquals(Map.of(memberAddress("a"), "Up", memberAddress("b"), "Up"), members(nodes.get(h)), h);
            assertTrue(Files.readString(nodes.get(h).log()).contains("cluster port " + CLUSTER_PORT + ": TLS"),
                    h + " logs that its cluster port runs TLS");
        }
        nodes.get("a").await(START_LIMIT, "link to b up", n -> "up".equals(n.linkState("b")));
        assertEquals("cluster", nodes.get("a").link("b").path("discovered_by").asText());
        Shell.Result ping = topology.exec("a", Duration.ofSeconds(15), "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.77.0.2");
        assertEquals(0, ping.exit(), "ping a -> b\n" + ping.output());
    }

    @Test
    void theClusterPortSpeaksTlsAndCarriesNoAddressInClear() {
        Map<String, Pcap.Tcp> firstOfEachConnection = new LinkedHashMap<>();
        for (Pcap.Tcp t : captured) {
            if (t.dstPort() == CLUSTER_PORT) {
                firstOfEachConnection.putIfAbsent(t.src() + ":" + t.srcPort() + ">" + t.dst(), t);
            }
        }
        assertTrue(firstOfEachConnection.keySet().stream().anyMatch(k -> k.startsWith("192.0.2.2:")),
                "captured b's connection to a: " + firstOfEachConnection.keySet());
        for (Map.Entry<String, Pcap.Tcp> c : firstOfEachConnection.entrySet()) {
            byte[] p = c.getValue().payload();
            assertEquals(TLS_HANDSHAKE, p[0], c.getKey() + " opens with a TLS handshake record");
        }
        // Under plain tcp every Artery envelope names actors as pekko://ipop@192.0.2.N:17355/...
        byte[] address = "ipop@192.0.2.".getBytes(StandardCharsets.US_ASCII);
        for (Pcap.Tcp t : captured) {
            assertFalse(Pcap.contains(t.payload(), address), "cluster address in clear in " + t);
        }
    }

    @Test
    void aNodeOfAnotherCaNeverJoinsAndCrashesNothing() {
        assertEquals(Map.of(), seenDuringForeignWindow, "x listed as a member during " + FOREIGN_WINDOW);
        for (String h : HOSTS.keySet()) {
            assertTrue(nodes.get(h).alive(), h + " still running");
        }
        assertFalse(upMembers(nodes.get("x")).contains(memberAddress("a")), "x never sees a as a member");
        assertXTriedAndNeverGotPastTheHandshake();
        Shell.Result ping = topology.exec("b", Duration.ofSeconds(15), "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.77.0.1");
        assertEquals(0, ping.exit(), "b still reaches a\n" + ping.output());
    }

    /**
     * From the capture: x did connect to a's cluster port, and on no connection did it send more than its
     * ClientHello and at most a change_cipher_spec and an alert (TLS 1.3: its Certificate, CertificateVerify
     * and Finished, and any cluster message after them, would be records of hundreds of bytes); a never
     * connected to x's cluster port, as it would to answer a join.
     */
    private static void assertXTriedAndNeverGotPastTheHandshake() {
        String x = "192.0.2." + HOSTS.get("x");
        Map<Integer, List<Pcap.Tcp>> fromX = new LinkedHashMap<>();
        for (Pcap.Tcp t : captured) {
            if (t.src().equals(x) && t.dstPort() == CLUSTER_PORT) {
                fromX.computeIfAbsent(t.srcPort(), k -> new ArrayList<>()).add(t);
            }
            assertFalse(t.dst().equals(x) && t.dstPort() == CLUSTER_PORT, "a connected to x's cluster port: " + t);
        }
        assertFalse(fromX.isEmpty(), "x never connected to a's cluster port during " + FOREIGN_WINDOW);
        for (Map.Entry<Integer, List<Pcap.Tcp>> c : fromX.entrySet()) {
            Pcap.Tcp opening = c.getValue().get(0);
            byte[] first = opening.payload();
            assertEquals(TLS_HANDSHAKE, first[0], "x's connection from port " + c.getKey() + " opens with a ClientHello");
            int hello = 5 + (((first[3] & 0xFF) << 8) | (first[4] & 0xFF));
            // the bytes of the stream x sent, by sequence number: a retransmitted segment counts once
            long total = c.getValue().stream()
                    .mapToLong(t -> ((t.seq() - opening.seq()) & 0xFFFF_FFFFL) + t.payload().length).max().orElse(0);
            // change_cipher_spec (6 bytes) and an encrypted alert (24), each perhaps sent twice
            assertTrue(total - hello <= 64, "x sent " + (total - hello) + " bytes after its ClientHello on the connection from port "
                    + c.getKey() + ": it got past the handshake");
        }
        System.out.println("x opened " + fromX.size() + " connections to a's cluster port, none past the handshake");
    }

    private static List<String> upMembers(NodeProcess n) {
        return members(n).entrySet().stream().filter(e -> e.getValue().equals("Up")).map(Map.Entry::getKey).toList();
    }

    /** {@code /cluster/members}: member address to status; empty while the node is in no cluster. */
    private static Map<String, String> members(NodeProcess n) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode doc = n.get("/cluster/members");
        if (doc != null) {
            for (JsonNode m : doc.path("members")) {
                out.put(m.path("node").asText(), m.path("status").asText());
            }
        }
        return out;
    }

    /** A new CA in {@code DIR/name} and a certificate (group blue) for each host. */
    private static Path issue(String name, String... hosts) throws Exception {
        Path dir = DIR.resolve(name).toAbsolutePath();
        OverlayCa.init(dir, true);
        for (String h : hosts) {
            OverlayCa.sign(dir, h, OverlayAddress.parse("10.77.0." + HOSTS.get(h) + "/24", true), List.of("blue"),
                    Duration.ofDays(1), true);
        }
        return dir;
    }

    private static String memberAddress(String host) {
        return "pekko://ipop@192.0.2." + HOSTS.get(host) + ":" + CLUSTER_PORT;
    }

    /** Cluster only, seed a; the certificate from {@code pki} turns on TLS on the cluster port (cluster-tls = auto). */
    private static String config(String host, Path pki) {
        return NodeConfig.clusterNode(host, HOSTS.get(host), pki, memberAddress("a"));
    }
}
