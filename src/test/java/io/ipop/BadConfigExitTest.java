package io.ipop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.OverlayAddress;
import io.ipop.secure.OverlayCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of broken configuration files, each given to the real command line ({@code --config FILE
 * --check-config}, so nothing is created): each must exit 2 with exactly one line on stderr that names
 * the key at fault, and print nothing on stdout. Complements NodeSettingsTest, which checks the same
 * rules on the parsed settings: this is what an operator sees.
 */
class BadConfigExitTest {
    @TempDir
    static Path dir;
    private static Path pki;
    private static Path otherPki;

    @BeforeAll
    static void pki() throws Exception {
        pki = dir.resolve("pki");
        otherPki = dir.resolve("other-pki");
        OverlayCa.init(pki, false);
        OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.1/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), false);
        OverlayCa.init(otherPki, false);
        Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    }

    /** A valid file: node a, one peer, certificates from {@code pki}; each case changes one thing. */
    private static String valid(String name, String address, String port, String peers, String groups, String security,
                                String extra) {
        return """
                ipop {
                  node.name = %s
                  tap { name = "ipop0", address = %s, mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = %s }
                  peers = %s
                  groups = %s
                  security %s
                  %s
                }
                """.formatted(name, address, port, peers, groups, security, extra);
    }

    private static final String NAME = "\"a\"";
    private static final String ADDRESS = "\"10.77.0.1/24\"";
    private static final String PEERS = "[ { name = \"b\", endpoint = \"192.0.2.2:5800\" } ]";
    private static final String GROUPS = "[ \"blue\" ]";
    /** What a cluster member needs besides ipop.discovery.cluster = true. */
    private static final String CLUSTER = "pekko.remote.artery.canonical.hostname = \"192.0.2.1\"\n"
            + "pekko.cluster.seed-nodes = [ \"pekko://ipop@192.0.2.1:17355\" ]\n";

    private static String security(String ca, String cert, String key) {
        return "{ mode = by-group, ca = \"" + ca + "\", cert = \"" + cert + "\", key = \"" + key + "\" }";
    }

    private static String ours() {
        return security(pki.resolve("ca.crt").toString(), pki.resolve("a.crt").toString(), pki.resolve("a.key").toString());
    }

    private static Arguments bad(String key, String why, String file) {
        return Arguments.of(key, why, file);
    }

    static Stream<Arguments> brokenFiles() {
        String sec = ours();
        return Stream.of(
                bad("ipop.node.name", "missing", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, sec, "").replace("node.name = \"a\"", "")),
                bad("ipop.node.name", "empty", valid("\"\"", ADDRESS, "5800", PEERS, GROUPS, "{}", "")),
                bad("ipop.node.name", "a space", valid("\"a b\"", ADDRESS, "5800", PEERS, GROUPS, "{}", "")),
                bad("ipop.tap.address", "no prefix", valid(NAME, "\"10.77.0.1\"", "5800", PEERS, GROUPS, "{}", "")),
                bad("ipop.tap.address", "octet 256", valid(NAME, "\"10.77.0.256/24\"", "5800", PEERS, GROUPS, "{}", "")),
                bad("ipop.tap.address", "a list", valid(NAME, "[ 1, 2 ]", "5800", PEERS, GROUPS, "{}", "")),
                bad("ipop.tap.mtu", "too big", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}", "").replace("mtu = 1400", "mtu = 70000")),
                bad("ipop.tap.mtu", "not a number", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}", "").replace("mtu = 1400", "mtu = big")),
                bad("ipop.tap.name", "too long", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}", "")
                        .replace("name = \"ipop0\"", "name = \"ipop-interface-0\"")),
                bad("ipop.underlay.port", "zero", valid(NAME, ADDRESS, "0", PEERS, GROUPS, "{}", "")),
                bad("ipop.underlay.port", "65536", valid(NAME, ADDRESS, "65536", PEERS, GROUPS, "{}", "")),
                bad("ipop.underlay.bind", "three octets", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}", "")
                        .replace("bind = \"0.0.0.0\"", "bind = \"0.0.0\"")),
                bad("ipop.peers[0].endpoint", "no port", valid(NAME, ADDRESS, "5800",
                        "[ { name = \"b\", endpoint = \"192.0.2.2\" } ]", GROUPS, "{}", "")),
                bad("ipop.peers[0].endpoint", "IPv4 in brackets", valid(NAME, ADDRESS, "5800",
                        "[ { name = \"b\", endpoint = \"[192.0.2]:5800\" } ]", GROUPS, "{}", "")),
                bad("ipop.peers[1].name", "duplicate peer", valid(NAME, ADDRESS, "5800",
                        "[ { name = \"b\", endpoint = \"192.0.2.2:5800\" }, { name = \"b\", endpoint = \"192.0.2.3:5800\" } ]",
                        GROUPS, "{}", "")),
                bad("ipop.peers[0].name", "the node itself", valid(NAME, ADDRESS, "5800",
                        "[ { name = \"a\", endpoint = \"192.0.2.2:5800\" } ]", GROUPS, "{}", "")),
                bad("ipop.peers", "a string", valid(NAME, ADDRESS, "5800", "\"b\"", GROUPS, "{}", "")),
                bad("ipop.groups[0]", "empty group", valid(NAME, ADDRESS, "5800", PEERS, "[ \"\" ]", "{}", "")),
                bad("ipop.tap.adress", "a typo", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}", "tap.adress = \"10.77.0.1/24\"")),
                bad("ipop.link.dead-after", "shorter than allowed", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "link.dead-after = 1s")),
                bad("ipop.link.keepalive-interval", "not a duration", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "link.keepalive-interval = fast")),
                bad("ipop.nat.stun-servers[0]", "expected host:port", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "nat.stun-servers = [\"198.51.100.10\"]")),
                bad("ipop.nat.stun-answer-rate", "out of range", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "nat.stun-answer-rate = 0")),
                bad("ipop.nat.relay-retry", "out of range", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "nat.relay-retry = 100ms")),
                bad("ipop.nat.forget-after", "out of range", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "nat.forget-after = 30d")),
                bad("ipop.nat.inbound-rate", "out of range", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "nat.inbound-rate = 0")),
                bad("ipop.topology.successors", "out of range", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "topology.successors = 0")),
                bad("ipop.topology.long-distance", "neither auto nor a number", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "topology.long-distance = many")),
                bad("ipop.topology.on-demand.idle", "out of range", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "topology.on-demand.idle = 30d")),
                bad("ipop.dataplane.inbound-buffer", "zero", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "dataplane.inbound-buffer = 0")),
                bad("ipop.log.level", "unknown level", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}", "log.level = LOUD")),
                bad("ipop.security.mode", "unknown mode", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{ mode = sometimes }", "")),
                bad("ipop.security.cert", "always without a certificate", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        "{ mode = always }", "")),
                bad("ipop.security.ca", "missing CA file", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        security("/nonexistent/ca.crt", "a.crt", "a.key"), "")),
                bad("ipop.security.ca", "CA file is not PEM", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        sec.replace(pki.resolve("ca.crt").toString(), dir.resolve("garbage.pem").toString()), "")),
                bad("ipop.security.cert", "certificate from another CA", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        sec.replace(pki.resolve("ca.crt").toString(), otherPki.resolve("ca.crt").toString()), "")),
                bad("ipop.security.key", "key file is not PEM", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        sec.replace(pki.resolve("a.key").toString(), dir.resolve("garbage.pem").toString()), "")),
                // the certificate and the key do not match: the message names both files
                bad("ipop.security.cert", "key of another node", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        sec.replace(pki.resolve("a.key").toString(), pki.resolve("b.key").toString()), "")),
                // the certificate binds name and address: the message names the config key it disagrees with
                bad("ipop.security.cert", "certificate of another node", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        security(pki.resolve("ca.crt").toString(), pki.resolve("b.crt").toString(), pki.resolve("b.key").toString()), "")),
                bad("ipop.security.cert", "address the certificate does not bind", valid(NAME, "\"10.77.0.9/24\"", "5800", PEERS,
                        GROUPS, sec, "")),
                bad("ipop.groups", "groups the certificate does not bind", valid(NAME, ADDRESS, "5800", PEERS,
                        "[ \"blue\", \"red\" ]", sec, "")),
                bad("ipop.tap.mac", "a MAC other than the certified name's", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, sec,
                        "tap.mac = \"02:00:00:00:00:99\"")),
                bad("ipop.firewall.inbound[1].port", "a firewall rule with a bad port", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        "{}", "firewall.inbound = [ { proto = icmp }, { proto = tcp, port = \"22-x\" } ]")),
                bad("pekko.management.http.port", "zero", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}", "")
                        + "pekko.management.http.port = 0\n"),
                bad("ipop.management.tls.cert", "API off loopback without a certificate for HTTPS", valid(NAME, ADDRESS, "5800",
                        PEERS, GROUPS, "{}", "management.token = \"0123456789abcdef0123\"")
                        + "pekko.management.http.hostname = \"192.0.2.1\"\n"),
                bad("ipop.management.tls.mode", "not a mode", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "management.tls.mode = maybe")),
                bad("ipop.management.tls.key", "certificate without key", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "management.tls.cert = \"" + pki.resolve("a.crt") + "\"")),
                bad("ipop.management.allowed-hosts[0]", "a host with a port", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "management.allowed-hosts = [ \"a.example:8558\" ]")),
                bad("ipop.discovery.static", "no discovery at all", valid(NAME, ADDRESS, "5800", "[]", GROUPS, "{}",
                        "discovery { static = false, cluster = false }")),
                bad("ipop.peers", "static peers with static discovery off", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery { static = false, cluster = true }") + CLUSTER),
                bad("ipop.discovery.cluster", "not a boolean", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery.cluster = maybe")),
                bad("ipop.discovery.seeds", "a typo under discovery", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery.seeds = []")),
                bad("ipop.discovery.endpoints[0]", "endpoint without port", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery { cluster = true, endpoints = [ \"192.0.2.1\" ] }") + CLUSTER),
                bad("ipop.discovery.endpoints[0]", "wildcard endpoint", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery { cluster = true, endpoints = [ \"0.0.0.0:5800\" ] }") + CLUSTER),
                bad("pekko.cluster.seed-nodes", "cluster without seeds", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery.cluster = true") + "pekko.remote.artery.canonical.hostname = \"192.0.2.1\"\n"),
                bad("pekko.cluster.seed-nodes[1]", "seed without port", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery.cluster = true") + CLUSTER + "pekko.cluster.seed-nodes += \"pekko://ipop@192.0.2.2\"\n"),
                bad("pekko.cluster.seed-nodes[0]", "seed of another actor system", valid(NAME, ADDRESS, "5800", PEERS, GROUPS,
                        "{}", "discovery.cluster = true") + CLUSTER.replace("ipop@", "other@")),
                bad("pekko.remote.artery.canonical.port", "cluster port out of range", valid(NAME, ADDRESS, "5800", PEERS,
                        GROUPS, "{}", "discovery.cluster = true") + CLUSTER + "pekko.remote.artery.canonical.port = 70000\n"),
                bad("ipop.discovery.endpoints", "no endpoint to publish", valid(NAME, ADDRESS, "5800", PEERS, GROUPS, "{}",
                        "discovery.cluster = true") + CLUSTER.replace("hostname = \"192.0.2.1\"", "hostname = \"<getHostAddress>\"")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("brokenFiles")
    void exitsTwoWithOneLineNamingTheKey(String key, String why, String text) throws IOException {
        Path file = Files.writeString(dir.resolve("node.conf"), text);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = Main.run(new String[] {"--config", file.toString(), "--check-config"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(Main.USAGE, exit, "exit code; stderr: " + lines);
        assertEquals(1, lines.size(), "one line on stderr: " + lines);
        assertTrue(lines.get(0).startsWith("ipop-node: config error: " + key + ": "), lines.get(0));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        if (why.contains("another node")) {
            assertTrue(lines.get(0).contains("ipop.node.name") || lines.get(0).contains("private key"), lines.get(0));
        } else if (why.startsWith("address")) {
            assertTrue(lines.get(0).contains("ipop.tap.address"), lines.get(0));
        }
    }
}
