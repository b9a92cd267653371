package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.frame.OverlayAddress;
import io.ipop.management.PrometheusText;
import io.ipop.secure.OverlayCa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Live reload of real nodes in namespaces. a is in group blue, b in red, c in green: every link starts
 * plaintext. b gets a new certificate in blue and its file says so; SIGHUP makes b re-read it, and the
 * a-b link is set up again as a DTLS link while a ping from a to c runs on, losing nothing. A capture
 * on a's underlay proves the marker no longer crosses a-b in clear. Bad files are refused whole; a
 * peer removed from a file is unlinked, and linked again when it comes back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReloadNetnsIT {
    private static final String TEST = "ReloadNetnsIT";
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "c", 3);
    private static final Map<String, String> GROUPS = Map.of("a", "blue", "b", "red", "c", "green");
    private static final Map<String, List<String>> PEERS = Map.of("a", List.of("b", "c"), "b", List.of("a", "c"),
            "c", List.of("a", "b"));
    private static final byte[] MARKER = "ipop-reload-!!!!".getBytes(StandardCharsets.US_ASCII);

    private static Topology topology;
    private static Path dir;
    private static Path pki;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    @BeforeAll
    static void startOverlay() throws Exception {
        Shell.requireRoot();
        dir = Path.of(System.getProperty("ipop.jar", "target/ipop-node.jar")).toAbsolutePath().getParent()
                .resolve("netns-logs").resolve(TEST);
        pki = dir.resolve("pki");
        OverlayCa.init(pki, true);
        for (String h : HOSTS.keySet()) {
            OverlayCa.sign(pki, h, addr(h), List.of(GROUPS.get(h)), Duration.ofDays(1), true);
        }
        topology = new Topology();
        for (String h : List.of("a", "b", "c")) {
            topology.host(h, HOSTS.get(h));
        }
        for (String h : List.of("a", "b", "c")) {
            nodes.put(h, NodeProcess.start(topology, h, config(h, GROUPS.get(h), PEERS.get(h), ""), TEST));
        }
        for (NodeProcess n : nodes.values()) {
            n.await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        }
        for (String h : HOSTS.keySet()) {
            for (String p : PEERS.get(h)) {
                awaitUp(h, p);
            }
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    @Order(1)
    void everyLinkStartsPlaintextWithoutACommonGroup() {
        for (String h : HOSTS.keySet()) {
            for (String p : PEERS.get(h)) {
                JsonNode l = nodes.get(h).link(p);
                assertFalse(l.path("secure").asBoolean(), h + "-" + p + ": " + l);
                assertEquals("no-common-group", l.path("secure_reason").asText());
            }
        }
    }

    @Test
    @Order(2)
    void aFileTheNodeCannotApplyIsRefusedWholeWithTheReason() throws Exception {
        writeConfig("b", config("b", GROUPS.get("b"), List.of("a"), "ipop.tap.mtu = 1300"));
        Shell.Result mtu = postReload("b");
        assertTrue(mtu.output().endsWith("400"), mtu.output());
        assertTrue(mtu.output().contains("ipop.tap.mtu: cannot change while the node runs"), mtu.output());

        writeConfig("b", "ipop { node.name = \"b\" ");
        Shell.Result syntax = postReload("b");
        assertTrue(syntax.output().endsWith("400"), syntax.output());
        assertTrue(syntax.output().contains("config error"), syntax.output());

        writeConfig("b", config("b", GROUPS.get("b"), PEERS.get("b"), ""));
        assertTrue(nodes.get("b").alive());
        assertEquals("up", nodes.get("b").linkState("c"), "nothing of the refused files was applied");
        assertFalse(nodes.get("b").link("a").path("secure").asBoolean());
        assertEquals("red", nodes.get("b").get("/overlay/node").path("groups").get(0).asText());
    }

    @Test
    @Order(3)
    void sighupWithANewCertificateMakesABSecureWhileThePingToCNeverStops() throws Exception {
        Path pingLog = dir.resolve("ping-a-c.log");
        // 100 pings, 0.2 s apart: 20 s covering the reload, the new handshake and the capture below.
        Process ping = new ProcessBuilder("ip", "netns", "exec", topology.ns("a"), "ping", "-i", "0.2", "-c", "100",
                "-W", "2", overlayIp("c")).redirectErrorStream(true).redirectOutput(pingLog.toFile()).start();
        try {
            Thread.sleep(2000);
            OverlayCa.sign(pki, "b", addr("b"), List.of("blue"), Duration.ofDays(1), true);
            writeConfig("b", config("b", "blue", PEERS.get("b"), ""));
            Shell.check(Duration.ofSeconds(5), "kill", "-HUP", Long.toString(nodes.get("b").pid()));

            awaitSecure("a", "b");
            awaitSecure("b", "a");
            JsonNode ab = nodes.get("a").link("b");
            assertEquals("groups:blue", ab.path("secure_reason").asText(), ab.toString());
            assertTrue(ab.path("cipher_suite").asText().startsWith("TLS_ECDHE_ECDSA_WITH_AES"), ab.toString());
            assertEquals("blue", nodes.get("b").get("/overlay/node").path("groups").get(0).asText());
            assertTrue(output("b").contains("reload applied: changed ipop.groups, certificate"), "b says what it applied");

            captureShowsNoMarkerOnTheNewSecureLink();
        } finally {
            if (!ping.waitFor(40, TimeUnit.SECONDS)) {
                ping.destroyForcibly();
            }
        }
        String out = Files.readString(pingLog);
        Matcher summary = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
        assertTrue(summary.find(), out);
        System.out.println("ping a -> c during the reload: " + summary.group());
        assertEquals(100, Integer.parseInt(summary.group(1)), out);
        assertEquals(100, Integer.parseInt(summary.group(2)), "the ping to c never lost a packet:\n" + out);

        Map<String, Double> a = metrics("a");
        Map<String, Double> b = metrics("b");
        assertEquals(1.0, a.get("ipop_link_ups_total{peer=c}"), "a-c was never set up again");
        assertEquals(1.0, b.get("ipop_link_ups_total{peer=c}"), "b-c was never set up again (blue and green: plaintext)");
        assertEquals(0.0, b.get("ipop_link_secure{peer=c,reason=no-common-group}"));
        assertEquals(2.0, a.get("ipop_link_ups_total{peer=b}"), "a-b: plaintext once, then secure");
        assertTrue(a.get("ipop_link_handshakes_total{peer=b,result=ok}") >= 1);
        assertEquals(1.0, a.get("ipop_link_secure{peer=b,reason=groups:blue}"));
    }

    @Test
    @Order(4)
    void aPeerRemovedFromTheFileIsUnlinkedAndLinkedAgainWhenItComesBack() throws Exception {
        writeConfig("c", config("c", GROUPS.get("c"), List.of("a"), ""));
        Shell.Result removed = postReload("c");
        assertTrue(removed.output().endsWith("200"), removed.output());
        assertTrue(removed.output().contains("peers -b"), removed.output());
        nodes.get("c").await(Duration.ofSeconds(10), "c forgets b", n -> n.link("b") == null);
        nodes.get("b").await(Duration.ofSeconds(10), "b hears c close the link",
                n -> n.link("c").path("reason").asText().contains("peer removed from the config of c"));
        assertEquals("up", nodes.get("c").linkState("a"));

        writeConfig("c", config("c", GROUPS.get("c"), PEERS.get("c"), ""));
        assertTrue(postReload("c").output().endsWith("200"));
        awaitUp("c", "b");
        awaitUp("b", "c");
    }

    private static void captureShowsNoMarkerOnTheNewSecureLink() throws Exception {
        Path capture = dir.resolve("a-eth0.pcap");
        Files.deleteIfExists(capture);
        Process tcpdump = new ProcessBuilder("ip", "netns", "exec", topology.ns("a"), "tcpdump", "--immediate-mode", "-i", "eth0", "-U",
                "-Z", "root", "-w", capture.toString(), "udp", "port", "5800")
                .redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump.log").toFile()).start();
        try {
            Tcpdump.awaitListening(tcpdump, dir.resolve("tcpdump.log"));
            for (String to : List.of("b", "c")) {                   // c (still plaintext): the capture sees markers
                Shell.Result ping = topology.exec("a", Duration.ofSeconds(15), "ping", "-c", "5", "-i", "0.2", "-W", "2",
                        "-s", "200", "-p", HexFormat.of().formatHex(MARKER), overlayIp(to));
                assertEquals(0, ping.exit(), ping.output());
            }
            Thread.sleep(500);
        } finally {
            Shell.stop(tcpdump);                        // SIGTERM: tcpdump flushes and exits
        }
        List<Pcap.Udp> datagrams = Pcap.udp(capture);
        long ab = datagrams.stream().filter(u -> between(u, "a", "b") && Pcap.carriesFrameOf(u, SecureNetnsIT.PING_FRAME)).count();
        long abMarked = datagrams.stream().filter(u -> between(u, "a", "b") && Pcap.contains(u.payload(), MARKER)).count();
        long acMarked = datagrams.stream().filter(u -> between(u, "a", "c") && Pcap.contains(u.payload(), MARKER)).count();
        System.out.printf("capture on a after the reload: %d ping-sized datagrams a<->b, %d with the marker; %d a<->c with the marker%n",
                ab, abMarked, acMarked);
        assertEquals(SecureNetnsIT.PING_DATAGRAMS, ab, "the pings crossed a-b");
        assertEquals(0, abMarked, "the marker must never appear on the now secure link");
        assertEquals(SecureNetnsIT.PING_DATAGRAMS, acMarked, "the capture sees the marker on the plaintext link a-c");
    }

    /** POST /overlay/reload from inside the node's namespace; the output ends with the HTTP status. */
    private static Shell.Result postReload(String host) {
        return topology.exec(host, Duration.ofSeconds(40), "curl", "-sS", "--max-time", "30", "-X", "POST",
                "-w", "\n%{http_code}", "http://127.0.0.1:8558/overlay/reload");
    }

    /** Rewrites the file the node was started with (its --config argument, relative to its working directory). */
    private static void writeConfig(String host, String text) throws IOException {
        long pid = nodes.get(host).pid();
        List<String> args = List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
        String file = args.get(args.indexOf("--config") + 1);
        Files.writeString(Path.of("/proc", Long.toString(pid), "cwd").resolve(file), text);
    }

    /** Everything the node has logged: its stdout is redirected to a file, readable through /proc. */
    private static String output(String host) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(nodes.get(host).pid()), "fd", "1"));
    }

    private static Map<String, Double> metrics(String host) {
        Shell.Result r = topology.exec(host, Duration.ofSeconds(10), "curl", "-fsS", "--max-time", "5",
                "http://127.0.0.1:8558/metrics");
        assertEquals(0, r.exit(), r.output());
        return PrometheusText.parse(r.output());
    }

    private static void awaitSecure(String node, String peer) {
        nodes.get(node).await(Duration.ofSeconds(30), "link to " + peer + " up and secure", n -> {
            JsonNode l = n.link(peer);
            return l != null && "up".equals(l.path("state").asText()) && l.path("secure").asBoolean();
        });
        assertNotNull(nodes.get(node).link(peer).path("peer_certificate").textValue());
    }

    private static void awaitUp(String node, String peer) {
        nodes.get(node).await(Duration.ofSeconds(30), "link to " + peer + " up", x -> "up".equals(x.linkState(peer)));
    }

    private static boolean between(Pcap.Udp u, String x, String y) {
        String ix = topology.underlayIp(x);
        String iy = topology.underlayIp(y);
        return (u.src().equals(ix) && u.dst().equals(iy)) || (u.src().equals(iy) && u.dst().equals(ix));
    }

    private static OverlayAddress addr(String host) {
        return OverlayAddress.parse(overlayIp(host) + "/24", true);
    }

    private static String overlayIp(String host) {
        return "10.77.0." + HOSTS.get(host);
    }

    private static String config(String host, String group, List<String> peers, String extra) {
        String list = NodeConfig.peers(HOSTS, peers.toArray(String[]::new));
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
                %s
                """.formatted(host, overlayIp(host), list, group, pki.resolve("ca.crt"), pki.resolve(host + ".crt"),
                pki.resolve(host + ".key"), extra);
    }
}
