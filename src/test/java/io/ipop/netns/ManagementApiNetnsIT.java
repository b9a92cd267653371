package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A web page in a browser on a node's host cannot drive its management API (issue 14, part 5), on real
 * node processes in namespaces. Node a runs with the defaults (API on 127.0.0.1:8558, no token): a request
 * naming another host (DNS rebinding, by curl and by Chromium resolving attacker.example to 127.0.0.1), a
 * POST with another Origin, and a page served from another loopback port that submits a form and a fetch to
 * {@code POST /overlay/reload} in headless Chromium are all refused, and a's reload counter does not move.
 * Node b serves its API on its overlay address over HTTPS with its node certificate, as the docs say.
 */
class ManagementApiNetnsIT {
    private static final String TEST = "ManagementApiNetnsIT";
    private static final String TOKEN = "b-token-0123456789abcdef";
    private static final String API = "http://127.0.0.1:8558";

    private static Topology topology;
    private static Path pki;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for namespaces and TAP devices");
        pki = NodeProcess.logDir(TEST).resolve("pki");
        if (!Files.exists(pki.resolve("ca.crt"))) {
            OverlayCa.init(pki, false);
            OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of(), Duration.ofDays(1), false);
        }
        topology = new Topology().host("a", 1).host("b", 2);
        nodes.put("a", NodeProcess.start(topology, "a", config("a", 1, ""), TEST));
        nodes.put("b", NodeProcess.start(topology, "b", config("b", 2, """
                ipop.security { ca = "%1$s/ca.crt", cert = "%1$s/b.crt", key = "%1$s/b.key" }
                ipop.management.token = "%2$s"
                pekko.management.http.hostname = "10.77.0.2"
                """.formatted(pki, TOKEN)), TEST));
        nodes.get("a").await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        nodes.get("b").await(Duration.ofSeconds(60), "b's API answers /ready over HTTPS",
                n -> curl("b", "--cacert", pki.resolve("ca.crt").toString(), "-H", "Authorization: Bearer " + TOKEN,
                        "https://10.77.0.2:8558/ready").equals("200"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    void aRequestNamingAnotherHostIsRefused() {
        long reloads = reloads();
        long refused = refused("bad_host");
        assertEquals("403", curl("a", "-H", "Host: attacker.example", API + "/overlay/node"));
        assertEquals("403", curl("a", "-H", "Host: attacker.example:8558", "-X", "POST", API + "/overlay/reload"));
        assertEquals("200", curl("a", "-H", "Host: localhost:8558", API + "/overlay/node"), "a loopback name passes");
        assertEquals(reloads, reloads(), "the reload did not happen");
        assertEquals(refused + 2, refused("bad_host"));
    }

    @Test
    void aPostWithAnotherOriginIsRefusedAndOneWithoutWorks() {
        long reloads = reloads();
        assertEquals("403", curl("a", "-X", "POST", "-H", "Origin: http://attacker.example", API + "/overlay/reload"));
        assertEquals("403", curl("a", "-X", "POST", "-H", "Sec-Fetch-Site: cross-site", API + "/overlay/reload"));
        assertEquals(reloads, reloads(), "the reload did not happen");
        assertEquals("200", curl("a", "-X", "POST", API + "/overlay/reload"), "curl, as an operator runs it");
        assertEquals(reloads + 1, reloads(), "the counter moves when a reload does happen");
    }

    @Test
    void aPageOfAnotherOriginInChromiumCannotReload() throws Exception {
        Path site = NodeProcess.logDir(TEST).resolve("attacker-site");
        Files.createDirectories(site);
        Files.writeString(site.resolve("attack.html"), """
                <!doctype html><html><body>
                <iframe name="sink"></iframe>
                <form id="f" method="POST" action="http://127.0.0.1:8558/overlay/reload" target="sink"></form>
                <pre id="out">started</pre>
                <script>
                  document.getElementById("f").submit();
                  fetch("http://127.0.0.1:8558/overlay/reload", { method: "POST", mode: "no-cors" })
                    .then(() => document.getElementById("out").textContent = "fetch sent")
                    .catch(e => document.getElementById("out").textContent = "fetch failed: " + e);
                </script>
                </body></html>
                """);
        long reloads = reloads();
        long refused = refused("cross_site");
        Process server = topology.spawn("a", site.resolveSibling("attacker-site.log"),
                List.of("/usr/bin/python3", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", site.toString()));
        try {
            nodes.get("a").await(Duration.ofSeconds(20), "the attacker's page is served",
                    n -> curl("a", "http://127.0.0.1:8000/attack.html").equals("200"));
            String dom = Chromium.run(topology, "a", site.resolveSibling("profile-attack"), "--dump-dom",
                    "http://127.0.0.1:8000/attack.html");
            assertTrue(dom.contains("fetch sent"), "the page ran and sent its fetch: " + dom);
        } finally {
            Shell.stop(server);
        }
        nodes.get("a").await(Duration.ofSeconds(10), "the page's form and fetch reached the API",
                n -> refused("cross_site") >= refused + 2 || reloads() >= reloads + 2);
        assertEquals(reloads, reloads(), "neither the form nor the fetch ran a reload");
        assertEquals(refused + 2, refused("cross_site"), "both were refused as cross-site");
    }

    @Test
    void aReboundNameInChromiumGetsNothing() throws Exception {
        long refused = refused("bad_host");
        String dom = Chromium.run(topology, "a", NodeProcess.logDir(TEST).resolve("profile-rebind"),
                "--host-resolver-rules=MAP attacker.example 127.0.0.1", "--dump-dom", "http://attacker.example:8558/overlay/node");
        assertTrue(dom.contains("403 Forbidden"), dom);
        assertTrue(!dom.contains("\"overlay_ip\""), "no node state: " + dom);
        assertTrue(refused("bad_host") > refused);
    }

    @Test
    void offLoopbackTheApiIsHttpsWithTheNodeCertificate() {
        String ca = pki.resolve("ca.crt").toString();
        String url = "https://10.77.0.2:8558";
        assertEquals("200", curl("b", "--cacert", ca, "-H", "Authorization: Bearer " + TOKEN, url + "/overlay/node"),
                "the certificate verifies against the overlay CA for the overlay address");
        assertEquals("401", curl("b", "--cacert", ca, url + "/overlay/node"));
        assertEquals("401", curl("b", "--cacert", ca, url + "/overlay/node?access_token=" + TOKEN), "the URL opens the page only");
        assertEquals("200", curl("b", "--cacert", ca, url + "/?access_token=" + TOKEN));
        assertEquals("403", curl("b", "--cacert", ca, "-X", "POST", "-H", "Authorization: Bearer " + TOKEN,
                "-H", "Origin: http://10.77.0.2:8558", url + "/overlay/reload"), "an http: page is another origin");
        assertNotEquals("200", curl("b", "http://10.77.0.2:8558/alive"), "no plain HTTP");
        Shell.Result status = topology.exec("b", Duration.ofSeconds(30), java(), "-jar", jar(), "status", "--url", url,
                "--token", TOKEN, "--cacert", ca);
        assertEquals(0, status.exit(), status.output());
        assertTrue(status.output().startsWith("node b"), status.output());
        assertTrue(nodes.get("b").logTail().contains("management API at https://10.77.0.2:8558/"), nodes.get("b").logTail());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** Reloads a ran, applied or refused (a second one while the first runs is refused). */
    private static long reloads() {
        JsonNode r = node("a").path("management").path("reloads");
        return r.path("applied").asLong(-1) + r.path("refused").asLong(-1);
    }

    private static long refused(String reason) {
        return node("a").path("management").path("refused").path(reason).asLong(-1);
    }

    private static JsonNode node(String host) {
        JsonNode n = nodes.get(host).get("/overlay/node");
        if (n == null) {
            throw new AssertionError(host + " does not answer /overlay/node\n" + nodes.get(host).logTail());
        }
        return n;
    }

    /** HTTP status of a curl run in {@code host}'s namespace ("000" when no HTTP answer came). */
    private static String curl(String host, String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3"));
        cmd.addAll(List.of(args));
        return topology.exec(host, Duration.ofSeconds(10), cmd.toArray(String[]::new)).output().trim();
    }

    private static String jar() {
        return System.getProperty("ipop.jar", "target/ipop-node.jar");
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static String config(String name, int host, String extra) {
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "10.77.0.%d/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = 5800 }
                  peers = []
                }
                %s
                """.formatted(name, host, extra);
    }
}
