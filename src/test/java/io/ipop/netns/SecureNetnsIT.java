package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
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
 * The mixed overlay of the demo with real processes in namespaces: a and b share group blue (DTLS),
 * c is in red (plaintext with both), d holds a certificate from another CA (never linked). A packet
 * capture on a's underlay proves the marker crosses the plaintext link in clear and never the secure one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecureNetnsIT {
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "c", 3, "d", 4);
    private static final byte[] MARKER = "ipop-marker-!!!!".getBytes(StandardCharsets.US_ASCII);
    /** The Ethernet frame of a {@code ping -s 200}: 14 + 20 (IPv4) + 8 (ICMP) + 200. */
    static final int PING_FRAME = 242;
    /** Five requests and five replies. */
    static final int PING_DATAGRAMS = 10;
    /** Next to the node jar, like NodeProcess.logDir: in the build directory, wherever -Dipop.build.dir puts it. */
    private static final Path DIR = Path.of(System.getProperty("ipop.jar", "target/ipop-node.jar")).toAbsolutePath()
            .getParent().resolve("netns-logs").resolve("SecureNetnsIT");

    private static Topology topology;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    @BeforeAll
    static void startOverlay() throws Exception {
        Shell.requireRoot();
        Path pki = DIR.resolve("pki").toAbsolutePath();
        Path foreign = DIR.resolve("foreign-pki").toAbsolutePath();
        OverlayCa.init(pki, true);
        OverlayCa.sign(pki, "a", addr("a"), List.of("blue"), Duration.ofDays(1), true);
        OverlayCa.sign(pki, "b", addr("b"), List.of("blue"), Duration.ofDays(1), true);
        OverlayCa.sign(pki, "c", addr("c"), List.of("red"), Duration.ofDays(1), true);
        OverlayCa.init(foreign, true);
        OverlayCa.sign(foreign, "d", addr("d"), List.of("blue"), Duration.ofDays(1), true);

        topology = new Topology();
        for (String h : List.of("a", "b", "c", "d")) {
            topology.host(h, HOSTS.get(h));
        }
        nodes.put("a", NodeProcess.start(topology, "a", config("a", pki, "blue", "b", "c", "d"), "SecureNetnsIT"));
        nodes.put("b", NodeProcess.start(topology, "b", config("b", pki, "blue", "a", "c"), "SecureNetnsIT"));
        nodes.put("c", NodeProcess.start(topology, "c", config("c", pki, "red", "a", "b"), "SecureNetnsIT"));
        nodes.put("d", NodeProcess.start(topology, "d", config("d", foreign, "blue", "a"), "SecureNetnsIT"));
        for (NodeProcess n : nodes.values()) {
            n.await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        }
        awaitUp("a", "b");
        awaitUp("b", "a");
        awaitUp("a", "c");
        awaitUp("c", "a");
        awaitUp("b", "c");
        awaitUp("c", "b");
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    @Order(1)
    void linksAreSecureExactlyWhereGroupsIntersect() {
        JsonNode ab = nodes.get("a").link("b");
        assertTrue(ab.path("secure").asBoolean(), ab.toString());
        assertEquals("groups:blue", ab.path("secure_reason").asText());
        assertTrue(ab.path("cipher_suite").asText().startsWith("TLS_ECDHE_ECDSA_WITH_AES"), ab.toString());
        JsonNode ac = nodes.get("a").link("c");
        assertFalse(ac.path("secure").asBoolean(), ac.toString());
        assertEquals("no-common-group", ac.path("secure_reason").asText());
        assertFalse(nodes.get("b").link("c").path("secure").asBoolean());
    }

    @Test
    @Order(2)
    void markerIsVisibleOnThePlaintextLinkAndNeverOnTheSecureOne() throws Exception {
        Path capture = DIR.resolve("a-eth0.pcap").toAbsolutePath();
        Files.deleteIfExists(capture);
        Process tcpdump = new ProcessBuilder("ip", "netns", "exec", topology.ns("a"), "tcpdump", "--immediate-mode", "-i", "eth0", "-U",
                "-Z", "root", "-w", capture.toString(), "udp", "port", "5800")
                .redirectErrorStream(true).redirectOutput(DIR.resolve("tcpdump.log").toFile()).start();
        try {
            Tcpdump.awaitListening(tcpdump, DIR.resolve("tcpdump.log"));
            String pattern = HexFormat.of().formatHex(MARKER);
            for (String to : List.of("b", "c")) {
                Shell.Result ping = topology.exec("a", Duration.ofSeconds(15), "ping", "-c", "5", "-i", "0.2", "-W", "2",
                        "-s", "200", "-p", pattern, overlayIp(to));
                assertEquals(0, ping.exit(), ping.output());
            }
            Thread.sleep(500);                          // let the last replies reach the capture
        } finally {
            Shell.stop(tcpdump);                        // SIGTERM: tcpdump flushes and exits
        }
        List<Pcap.Udp> datagrams = Pcap.udp(capture);
        // only datagrams the size of the pings: keepalives alone would meet any count of all datagrams
        long securePings = datagrams.stream().filter(u -> between(u, "a", "b") && Pcap.carriesFrameOf(u, PING_FRAME)).count();
        long secureWithMarker = datagrams.stream().filter(u -> between(u, "a", "b") && Pcap.contains(u.payload(), MARKER)).count();
        long plainWithMarker = datagrams.stream().filter(u -> between(u, "a", "c") && Pcap.contains(u.payload(), MARKER)).count();
        System.out.printf("capture on a: %d ping-sized datagrams a<->b (%d with marker), %d a<->c datagrams with marker%n",
                securePings, secureWithMarker, plainWithMarker);
        assertEquals(PING_DATAGRAMS, securePings, "the pings crossed the secure link");
        assertEquals(0, secureWithMarker, "the marker must never appear on the secure link");
        assertEquals(PING_DATAGRAMS, plainWithMarker, "the capture sees the marker in clear on the plaintext link, in every ping");
    }

    @Test
    @Order(3)
    void iperf3WorksOnBothKindsOfLink() throws Exception {
        for (String to : List.of("b", "c")) {
            Thread server = new Thread(() -> topology.exec(to, Duration.ofSeconds(30), "iperf3", "-s", "-1", "-B", overlayIp(to)));
            server.start();
            Thread.sleep(500);
            Shell.Result client = topology.exec("a", Duration.ofSeconds(30), "iperf3", "-c", overlayIp(to), "-t", "2", "-J");
            server.join(35_000);
            assertEquals(0, client.exit(), client.output());
            double bps = new ObjectMapper().readTree(client.output()).path("end").path("sum_received").path("bits_per_second").asDouble();
            System.out.printf("iperf3 a -> %s (%s link): %.1f Mbit/s%n", to, to.equals("b") ? "secure" : "plaintext", bps / 1e6);
            assertTrue(bps > 0);
        }
    }

    @Test
    @Order(4)
    void aNodeWithACertificateFromAnotherCaNeverGetsALink() {
        NodeProcess a = nodes.get("a");
        a.await(Duration.ofSeconds(10), "a refuses d's certificate",
                x -> x.link("d").path("reason").asText().contains("not issued by this overlay's CA"));
        assertEquals("connecting", a.linkState("d"));
        NodeProcess d = nodes.get("d");
        d.await(Duration.ofSeconds(10), "d hears why", x -> x.link("a").path("reason").asText().contains("refused"));
        assertEquals("connecting", d.linkState("a"));
        JsonNode drops = a.get("/overlay/dataplane").path("drops").path("link_setup");
        assertTrue(drops.path("bad_certificate").asLong() > 0, drops.toString());
    }

    private static boolean between(Pcap.Udp u, String x, String y) {
        String ix = topology.underlayIp(x);
        String iy = topology.underlayIp(y);
        return (u.src().equals(ix) && u.dst().equals(iy)) || (u.src().equals(iy) && u.dst().equals(ix));
    }

    private static void awaitUp(String node, String peer) {
        nodes.get(node).await(Duration.ofSeconds(30), "link to " + peer + " up", x -> "up".equals(x.linkState(peer)));
    }

    private static OverlayAddress addr(String host) {
        return OverlayAddress.parse(overlayIp(host) + "/24", true);
    }

    private static String overlayIp(String host) {
        return "10.77.0." + HOSTS.get(host);
    }

    private static String config(String host, Path pki, String group, String... peers) {
        String list = NodeConfig.peers(HOSTS, peers);
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "%s/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = 5800 }
                  peers = [ %s ]
                  groups = [ "%s" ]
                  security { mode = by-group, ca = "%s", cert = "%s", key = "%s" }
                  link { keepalive-interval = 500ms, dead-after = 3s, retry-min = 250ms, retry-max = 2s }
                }
                """.formatted(host, overlayIp(host), list, group, pki.resolve("ca.crt"), pki.resolve(host + ".crt"),
                pki.resolve(host + ".key"));
    }
}
