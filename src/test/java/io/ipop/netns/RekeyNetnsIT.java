package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ipop.frame.OverlayAddress;
import io.ipop.management.PrometheusText;
import io.ipop.secure.OverlayCa;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rekeying on real nodes (docs/security.md, "Rekeying"): a and b share group blue and rekey every 2 s.
 * For 30 s a pings b five times a second while an iperf3 UDP stream runs a to b; nothing is lost, and
 * the link switched keys at least ten times without ever being set up again.
 */
class RekeyNetnsIT {
    private static final String TEST = "RekeyNetnsIT";
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2);
    private static final int SECONDS = 30;

    private static Topology topology;
    private static Path pki;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

    @BeforeAll
    static void startOverlay() throws Exception {
        Shell.requireRoot();
        pki = NodeProcess.logDir(TEST).resolve("pki");
        OverlayCa.init(pki, true);
        for (String h : List.of("a", "b")) {
            OverlayCa.sign(pki, h, OverlayAddress.parse(overlayIp(h) + "/24", true), List.of("blue"), Duration.ofDays(1), true);
        }
        topology = new Topology();
        for (String h : List.of("a", "b")) {
            topology.host(h, HOSTS.get(h));
        }
        for (String h : List.of("a", "b")) {
            nodes.put(h, NodeProcess.start(topology, h, config(h), TEST));
        }
        for (NodeProcess n : nodes.values()) {
            n.await(Duration.ofSeconds(120), "/ready", NodeProcess::ready);
        }
        for (String h : List.of("a", "b")) {
            String peer = h.equals("a") ? "b" : "a";
            nodes.get(h).await(Duration.ofSeconds(30), "secure link to " + peer, n -> {
                JsonNode l = n.link(peer);
                return l != null && "up".equals(l.path("state").asText()) && l.path("secure").asBoolean();
            });
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        Topology.tearDown(nodes.values(), topology);
    }

    @Test
    void thirtySecondsOfPingAndIperf3LoseNothingAcrossTenRekeys() throws Exception {
        Shell.Result[] server = new Shell.Result[1];
        Shell.Result[] ping = new Shell.Result[1];
        Thread serverThread = new Thread(() -> server[0] = topology.exec("b", Duration.ofSeconds(SECONDS + 40),
                "iperf3", "-s", "-1", "-B", overlayIp("b")));
        serverThread.start();
        Thread.sleep(1000);
        Thread pingThread = new Thread(() -> ping[0] = topology.exec("a", Duration.ofSeconds(SECONDS + 30),
                "ping", "-i", "0.2", "-c", Integer.toString(SECONDS * 5), "-W", "2", overlayIp("b")));
        pingThread.start();
        Shell.Result iperf = topology.exec("a", Duration.ofSeconds(SECONDS + 30), "iperf3", "-c", overlayIp("b"),
                "-u", "-b", "4M", "-l", "1200", "-t", Integer.toString(SECONDS), "-J");
        pingThread.join(Duration.ofSeconds(SECONDS + 40).toMillis());
        serverThread.join(Duration.ofSeconds(SECONDS + 50).toMillis());

        JsonNode ab = nodes.get("a").link("b");
        JsonNode ba = nodes.get("b").link("a");
        Map<String, Double> metrics = PrometheusText.parse(topology.exec("a", Duration.ofSeconds(10), "curl", "-fsS",
                "--max-time", "5", "http://127.0.0.1:8558/metrics").output());
        JsonNode report = new ObjectMapper().readTree(iperf.output());
        JsonNode sum = report.path("end").path("sum");
        long iperfSent = sum.path("packets").asLong();
        long iperfLost = sum.path("lost_packets").asLong();
        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(ping[0].output());
        assertTrue(m.find(), ping[0].output());
        int pingSent = Integer.parseInt(m.group(1));
        int pingReceived = Integer.parseInt(m.group(2));
        long rekeys = ab.path("rekeys").asLong();
        System.out.printf("rekey-after 2s, %d s: rekeys a-b %d (b-a %d), key age now %.1f s; ping %d/%d received; "
                        + "iperf3 UDP 4 Mbit/s %d datagrams, %d lost (%.3f %%), %d out of order; lost per rekey: %.2f%n",
                SECONDS, rekeys, ba.path("rekeys").asLong(), ab.path("key_age_s").asDouble(), pingReceived, pingSent,
                iperfSent, iperfLost, sum.path("lost_percent").asDouble(), sum.path("out_of_order").asLong(),
                rekeys == 0 ? 0.0 : (double) (iperfLost + pingSent - pingReceived) / rekeys);
        System.out.println("drops on a: " + nodes.get("a").dataplane().path("drops"));
        System.out.println("drops on b: " + nodes.get("b").dataplane().path("drops"));

        assertEquals(0, iperf.exit(), iperf.output());
        assertTrue(rekeys >= 10, "at least 10 rekeys in " + SECONDS + " s: " + ab);
        assertEquals((double) rekeys, metrics.get("ipop_link_rekeys_total{peer=b}"), "/metrics shows the rekeys");
        assertTrue(ab.path("key_age_s").asDouble() < 15, "the keys in use are young: " + ab);
        assertEquals(1.0, metrics.get("ipop_link_ups_total{peer=b}"), "the link was never set up again");
        assertEquals(SECONDS * 5, pingSent);
        assertEquals(pingSent, pingReceived, "no ping lost:\n" + ping[0].output());
        assertTrue(iperfSent > 1000, "iperf3 sent: " + sum);
        assertEquals(0, iperfLost, "no iperf3 datagram lost: " + sum);
        for (String host : List.of("a", "b")) {
            assertEquals(0, nodes.get(host).drops("classify", "auth_failed"), host + ": no frame under keys it lacks");
            assertEquals(0, nodes.get(host).drops("classify", "replay"), host);
            assertEquals(0, nodes.get(host).drops("link_setup", "dtls_failed"), host + ": every rekey succeeded");
        }
    }

    private static String overlayIp(String host) {
        return "10.77.0." + HOSTS.get(host);
    }

    private static String config(String host) {
        String peer = host.equals("a") ? "b" : "a";
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "%s/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = 5800 }
                  peers = [ %s ]
                  groups = [ "blue" ]
                  security { mode = by-group, ca = "%s", cert = "%s", key = "%s", rekey-after = 2s }
                  link { keepalive-interval = 500ms, dead-after = 4s, retry-min = 250ms, retry-max = 2s }
                }
                """.formatted(host, overlayIp(host), NodeConfig.peers(HOSTS, peer), pki.resolve("ca.crt"),
                pki.resolve(host + ".crt"), pki.resolve(host + ".key"));
    }
}
