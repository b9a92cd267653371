package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.frame.OverlayAddress;
import io.ipop.secure.IssuedCertificate;
import io.ipop.secure.OverlayCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * Revocation, expiry and the re-announced decision, played on real nodes (docs/security.md, "Attacks and
 * defences: revocation and rekeying"). a and b are in blue (a secure link); c starts in red with mode
 * never (plaintext with both). a re-verifies its links every 2 s.
 * <ol>
 *   <li>b's certificate is revoked with {@code ca revoke} on a: the a-b link is down within a second of the
 *       reload and stays down, b's hellos are refused and counted; b cannot start with its own certificate
 *       revoked;</li>
 *   <li>c moves to blue by a reload whose one {@code con_req} to a is dropped: the decision is re-announced,
 *       so a still makes a-c secure;</li>
 *   <li>c gets a certificate valid for 25 s: once it expires a's periodic re-verification ends a-c.</li>
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RevocationNetnsIT {
    private static final String TEST = "RevocationNetnsIT";
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "c", 3);

    private static Topology topology;
    private static Path dir;
    private static Path pki;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    @BeforeAll
    static void startOverlay() throws Exception {
        Shell.requireRoot();
        dir = NodeProcess.logDir(TEST);
        pki = dir.resolve("pki");
        OverlayCa.init(pki, true);
        OverlayCa.sign(pki, "a", addr("a"), List.of("blue"), Duration.ofDays(1), true);
        OverlayCa.sign(pki, "b", addr("b"), List.of("blue"), Duration.ofDays(1), true);
        OverlayCa.sign(pki, "c", addr("c"), List.of("red"), Duration.ofDays(1), true);
        topology = new Topology();
        for (String h : List.of("a", "b", "c")) {
            topology.host(h, HOSTS.get(h));
        }
        nodes.put("a", NodeProcess.start(topology, "a", config("a", "blue", "by-group", ""), TEST));
        nodes.put("b", NodeProcess.start(topology, "b", config("b", "blue", "by-group", ""), TEST));
        nodes.put("c", NodeProcess.start(topology, "c", config("c", "red", "never", ""), TEST));
        for (NodeProcess n : nodes.values()) {
            n.await(Duration.ofSeconds(120), "/ready", NodeProcess::ready);
        }
        awaitLink("a", "b", true);
        awaitLink("a", "c", false);
        awaitLink("b", "c", false);
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    @Order(1)
    void aRevokedPeerLosesItsLiveLinkWithinASecondAndStaysOut() throws Exception {
        Shell.Result before = topology.exec("a", Duration.ofSeconds(10), "ping", "-c", "2", "-W", "2", overlayIp("b"));
        assertEquals(0, before.exit(), "b answers before it is revoked: " + before.output());
        String fingerprint = nodes.get("a").link("b").path("peer_certificate").asText();
        String line = "ipop.security.revoked += \"" + fingerprint + "\"";
        writeConfig("a", config("a", "blue", "by-group", line));
        Shell.Result reload = postReload("a");
        Instant applied = Instant.now();
        assertTrue(reload.output().endsWith("200"), reload.output());
        nodes.get("a").await(Duration.ofSeconds(1), "a-b down", n -> !"up".equals(n.linkState("b")));
        long ms = Duration.between(applied, Instant.now()).toMillis();
        System.out.println("a-b link down " + ms + " ms after the reload that revoked b");
        assertTrue(nodes.get("a").link("b").path("reason").asText().contains("revoked"), nodes.get("a").link("b").toString());

        Thread.sleep(5000);                             // b keeps trying: it gets nowhere
        JsonNode ab = nodes.get("a").link("b");
        assertNotEquals("up", ab.path("state").asText(), ab.toString());
        assertTrue(ab.path("reason").asText().contains("revoked"), ab.toString());
        assertNotEquals("up", nodes.get("b").linkState("a"));
        assertTrue(nodes.get("b").link("a").path("reason").asText().contains("revoked"), nodes.get("b").link("a").toString());
        assertTrue(nodes.get("a").drops("link_setup", "revoked") > 0, "b's hellos are refused and counted");
        assertNotEquals(0, topology.exec("a", Duration.ofSeconds(10), "ping", "-c", "2", "-W", "1", overlayIp("b")).exit());
        assertEquals("up", nodes.get("a").linkState("c"), "other links stay");

        String java = ProcessHandle.current().info().command().orElse("java");
        String revoke = Shell.check(Duration.ofSeconds(60), java, "-jar", jar(), "ca", "revoke", "--dir", pki.toString(),
                "--name", "b");
        List<String> lines = revoke.strip().lines().toList();
        assertEquals(line, lines.get(lines.size() - 1), "ca revoke prints the line that was added");

        Path own = dir.resolve("b-revoked.conf");
        Files.writeString(own, config("b", "blue", "by-group", line));
        Shell.Result check = Shell.run(Duration.ofSeconds(60), java, "-jar", jar(), "--config", own.toString(), "--check-config");
        assertEquals(2, check.exit(), check.output());
        assertTrue(check.output().contains("ipop.security.revoked: lists this node's own certificate"), check.output());
    }

    @Test
    @Order(2)
    void aChangedGroupIsReannouncedUntilThePeerAnswersEvenIfTheFirstRequestIsLost() throws Exception {
        OverlayCa.sign(pki, "c", addr("c"), List.of("blue"), Duration.ofDays(1), true);
        writeConfig("c", config("c", "blue", "never", ""));
        topology.nft("c", """
                table inet ipopannounce {
                  chain out {
                    type filter hook output priority 0; policy accept;
                    ip daddr %s udp dport 5800 counter drop
                  }
                }
                """.formatted(topology.underlayIp("a")));
        try {
            Shell.Result reload = postReload("c");
            assertTrue(reload.output().endsWith("200"), reload.output());
            Thread.sleep(2000);                         // c's con_req to a (and its keepalives) are lost
        } finally {
            topology.exec("c", Duration.ofSeconds(10), "nft", "delete", "table", "inet", "ipopannounce");
        }
        awaitLink("b", "c", true);                      // not dropped: b re-decided at once
        awaitLink("a", "c", true);                      // dropped: only a re-sent request gets through
        JsonNode ac = nodes.get("a").link("c");
        assertEquals("groups:blue", ac.path("secure_reason").asText(), ac.toString());
    }

    @Test
    @Order(3)
    void aPeerWhoseCertificateExpiresLosesItsLinkAtTheNextReverification() throws Exception {
        IssuedCertificate shortLived = OverlayCa.sign(pki, "c", addr("c"), List.of("blue"), Duration.ofSeconds(25), true);
        writeConfig("c", config("c", "blue", "never", ""));
        assertTrue(postReload("c").output().endsWith("200"));
        nodes.get("a").await(Duration.ofSeconds(10), "a knows c's new certificate", n ->
                shortLived.identity().fingerprint().equals(n.link("c").path("peer_certificate").asText()));
        assertEquals("up", nodes.get("a").linkState("c"));
        Instant expiry = shortLived.notAfter();
        nodes.get("a").await(Duration.between(Instant.now(), expiry).plusSeconds(10), "a-c down after c's certificate expired",
                n -> !"up".equals(n.linkState("c")));
        long late = Duration.between(expiry, Instant.now()).toMillis();
        System.out.println("a-c link down " + late + " ms after c's certificate expired (reverify-interval 2 s)");
        assertFalse(Instant.now().isBefore(expiry), "not before it expired");
        assertTrue(late < 4000, "within the re-verification interval and a poll: " + late + " ms");
        assertTrue(nodes.get("a").link("c").path("reason").asText().contains("expired"), nodes.get("a").link("c").toString());
    }

    private static String jar() {
        return Path.of(System.getProperty("ipop.jar", "target/ipop-node.jar")).toAbsolutePath().toString();
    }

    /** POST /overlay/reload from inside the node's namespace; the output ends with the HTTP status. */
    private static Shell.Result postReload(String host) {
        return topology.exec(host, Duration.ofSeconds(40), "curl", "-sS", "--max-time", "30", "-X", "POST",
                "-w", "\n%{http_code}", "http://127.0.0.1:8558/overlay/reload");
    }

    /** Rewrites the file the node was started with ({@link NodeProcess} writes it to the log directory). */
    private static void writeConfig(String host, String text) throws Exception {
        Files.writeString(dir.resolve(host + ".conf"), text);
    }

    private static void awaitLink(String node, String peer, boolean secure) {
        nodes.get(node).await(Duration.ofSeconds(30), "link to " + peer + " up, secure " + secure, n -> {
            JsonNode l = n.link(peer);
            return l != null && "up".equals(l.path("state").asText()) && l.path("secure").asBoolean() == secure;
        });
    }

    private static OverlayAddress addr(String host) {
        return OverlayAddress.parse(overlayIp(host) + "/24", true);
    }

    private static String overlayIp(String host) {
        return "10.77.0." + HOSTS.get(host);
    }

    private static String config(String host, String group, String mode, String extra) {
        List<String> peers = HOSTS.keySet().stream().filter(p -> !p.equals(host)).sorted().toList();
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "%s/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = 5800 }
                  peers = [ %s ]
                  groups = [ "%s" ]
                  security { mode = %s, ca = "%s", cert = "%s", key = "%s", reverify-interval = 2s }
                  link { keepalive-interval = 500ms, dead-after = 4s, retry-min = 250ms, retry-max = 2s }
                }
                %s
                """.formatted(host, overlayIp(host), NodeConfig.peers(HOSTS, peers.toArray(String[]::new)), group, mode,
                pki.resolve("ca.crt"), pki.resolve(host + ".crt"), pki.resolve(host + ".key"), extra);
    }
}
