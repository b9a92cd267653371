package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.management.PrometheusText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Watching a running overlay, with three plaintext nodes in namespaces: {@code /metrics} moves with
 * traffic, the topology page draws the three nodes and their links in headless Chromium (screenshot
 * kept in the build directory, {@code topology/topology.png}), {@code ipop-node status} prints the
 * links, and node c, whose management API is bound to its underlay address (plain HTTP, tls.mode = off),
 * wants its token.
 */
class OperationsNetnsIT {
    private static final String TEST = "OperationsNetnsIT";
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "c", 3);
    private static final String TOKEN = "c-token-0123456789abcdef";

    private static Topology topology;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    @BeforeAll
    static void startOverlay() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for namespaces and TAP devices");
        topology = new Topology();
        for (String h : List.of("a", "b", "c")) {
            topology.host(h, HOSTS.get(h));
        }
        nodes.put("a", NodeProcess.start(topology, "a", config("a", "", "b", "c"), TEST));
        nodes.put("b", NodeProcess.start(topology, "b", config("b", "", "a", "c"), TEST));
        nodes.put("c", NodeProcess.start(topology, "c", config("c", """
                pekko.management.http.hostname = "192.0.2.3"
                ipop.management.token = "%s"
                ipop.management.tls.mode = off
                """.formatted(TOKEN), "a", "b"), TEST));
        nodes.get("a").await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        nodes.get("b").await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        nodes.get("c").await(Duration.ofSeconds(60), "c's API answers /ready with the token",
                n -> curlC("-H", "Authorization: Bearer " + TOKEN, "http://192.0.2.3:8558/ready").equals("200"));
        for (String[] pair : new String[][] {{"a", "b"}, {"a", "c"}, {"b", "a"}, {"b", "c"}}) {
            nodes.get(pair[0]).await(Duration.ofSeconds(30), "link to " + pair[1] + " up",
                    n -> "up".equals(n.linkState(pair[1])));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    void metricsAreParsablePrometheusTextAndMoveWithTraffic() {
        Map<String, Double> before = metrics("a");
        assertEquals(1.0, before.get("ipop_link_state{peer=b,state=up}"), before.toString());
        assertEquals(0.0, before.get("ipop_link_secure{peer=b,reason=mode:never}"), "a plaintext link");
        Shell.Result ping = topology.exec("a", Duration.ofSeconds(15), "ping", "-c", "5", "-i", "0.2", "-W", "2",
                "-s", "1000", overlayIp("b"));
        assertEquals(0, ping.exit(), ping.output());
        Map<String, Double> after = metrics("a");
        for (String direction : List.of("in", "out")) {
            String packets = "ipop_link_packets_total{direction=" + direction + ",peer=b}";
            String bytes = "ipop_link_bytes_total{direction=" + direction + ",peer=b}";
            assertTrue(after.get(packets) - before.get(packets) >= 5, packets + ": " + before.get(packets) + " -> " + after.get(packets));
            assertTrue(after.get(bytes) - before.get(bytes) >= 5 * 1000, bytes + ": " + before.get(bytes) + " -> " + after.get(bytes));
        }
        assertTrue(after.get("ipop_dataplane_datagrams_in_total") > before.get("ipop_dataplane_datagrams_in_total"));
        assertTrue(after.get("ipop_link_rtt_seconds{peer=b}") > 0, "RTT measured by keepalives");
        assertTrue(after.containsKey("jvm_threads_current"), "JVM metrics are there");
    }

    @Test
    void topologyPageDrawsTheNodeItsPeersAndTheirLinksInHeadlessChromium() throws Exception {
        Path out = buildDir().resolve("topology");
        Files.createDirectories(out);
        Path dom = out.resolve("topology-dom.html");
        String html = Chromium.run(topology, "a", out.resolve("profile-dom"), "--dump-dom", "http://127.0.0.1:8558/");
        Files.writeString(dom, html);
        for (String id : List.of("node-a", "node-b", "node-c", "link-b", "link-c")) {
            assertTrue(html.contains("id=\"" + id + "\""), id + " is drawn (DOM in " + dom + ")");
        }
        Matcher links = Pattern.compile("<g id=\"link-(\\w+)\" class=\"link state-up plaintext\"[^>]*data-state=\"up\" data-secure=\"false\"")
                .matcher(html);
        int up = 0;
        while (links.find()) {
            up++;
        }
        assertEquals(2, up, "two up plaintext links drawn (DOM in " + dom + ")");
        assertTrue(html.contains("a – b: up, plaintext (mode:never)"), "the link's reason is its hover text");
        assertTrue(html.contains("data-polls="), "the page polled the API");

        Path png = out.resolve("topology.png");
        Files.deleteIfExists(png);
        Chromium.run(topology, "a", out.resolve("profile-shot"), "--screenshot=" + png, "--window-size=1200,800",
                "http://127.0.0.1:8558/");
        assertTrue(Files.size(png) > 10_000, "a screenshot was taken: " + png);
        System.out.println("topology page screenshot: " + png);
    }

    @Test
    void statusCommandPrintsTheLinks() {
        Shell.Result r = topology.exec("a", Duration.ofSeconds(30), java(), "-jar", jar(), "status");
        assertEquals(0, r.exit(), r.output());
        System.out.println(r.output());
        List<String> lines = r.output().lines().toList();
        assertTrue(lines.get(0).startsWith("node a  10.77.0.1/24"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("b +up .*plaintext \\(mode:never\\) +192\\.0\\.2\\.2:5800 .*")), r.output());
        assertTrue(lines.stream().anyMatch(l -> l.matches("c +up .*")), r.output());

        Shell.Result refused = topology.exec("a", Duration.ofSeconds(30), java(), "-jar", jar(), "status",
                "--url", "http://192.0.2.3:8558");
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("wants a token"), refused.output());
        Shell.Result withToken = topology.exec("a", Duration.ofSeconds(30), java(), "-jar", jar(), "status",
                "--url", "http://192.0.2.3:8558", "--token", TOKEN);
        assertEquals(0, withToken.exit(), withToken.output());
        assertTrue(withToken.output().startsWith("node c"), withToken.output());

        Shell.Result down = topology.exec("a", Duration.ofSeconds(30), java(), "-jar", jar(), "status",
                "--url", "http://127.0.0.1:8559");
        assertEquals(1, down.exit(), down.output());
        assertTrue(down.output().contains("no answer from http://127.0.0.1:8559"), down.output());
    }

    @Test
    void managementApiOffLoopbackAnswers401WithoutTheTokenAnd200WithIt() {
        for (String path : List.of("/alive", "/ready", "/metrics", "/overlay/node", "/overlay/links", "/overlay/dataplane", "/")) {
            String url = "http://192.0.2.3:8558" + path;
            assertEquals("401", curlA(url), path + " without token");
            assertEquals("401", curlA("-H", "Authorization: Bearer not-the-token-0123456789", url), path + " wrong token");
            assertEquals("200", curlA("-H", "Authorization: Bearer " + TOKEN, url), path + " with token");
        }
        assertEquals("401", curlA("-X", "POST", "http://192.0.2.3:8558/overlay/reload"));
        assertEquals("200", curlA("http://192.0.2.3:8558/?access_token=" + TOKEN), "the page, opened with its token in the URL");
        assertEquals("200", curlA("http://127.0.0.1:8558/alive"), "a's API on its loopback has no token");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static Map<String, Double> metrics(String host) {
        Shell.Result r = topology.exec(host, Duration.ofSeconds(10), "curl", "-fsS", "--max-time", "5",
                "http://127.0.0.1:8558/metrics");
        assertEquals(0, r.exit(), r.output());
        return PrometheusText.parse(r.output());
    }

    /** HTTP status of a curl from a's namespace (across the underlay when the URL names another host). */
    private static String curlA(String... args) {
        return curl("a", args);
    }

    private static String curlC(String... args) {
        return curl("c", args);
    }

    private static String curl(String host, String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3"));
        cmd.addAll(List.of(args));
        return topology.exec(host, Duration.ofSeconds(10), cmd.toArray(String[]::new)).output().trim();
    }

    private static Path buildDir() {
        return Path.of(jar()).toAbsolutePath().getParent();
    }

    private static String jar() {
        return System.getProperty("ipop.jar", "target/ipop-node.jar");
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String overlayIp(String host) {
        return "10.77.0." + HOSTS.get(host);
    }

    private static String config(String host, String extra, String... peers) {
        String list = NodeConfig.peers(HOSTS, peers);
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "%s/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = 5800 }
                  peers = [ %s ]
                  link { keepalive-interval = 500ms, dead-after = 3s, retry-min = 250ms, retry-max = 2s }
                }
                %s
                """.formatted(host, overlayIp(host), list, extra);
    }
}
