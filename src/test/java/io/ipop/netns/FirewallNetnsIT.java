package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The group firewall on real nodes: a (blue) runs default deny with an ICMP rule for blue. b (blue) pings
 * a, c (red) cannot; a pings c and the replies come back (state). A reload adds a TCP rule for port 5201
 * from red: c reaches a's iperf3 on 5201 and not on 5202, and no link is set up again by the reload.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirewallNetnsIT {
    private static final String ICMP_FOR_BLUE = """
            ipop.firewall { default = deny, inbound = [ { proto = icmp, groups = [ "blue" ] } ] }
            """;
    private static final String WITH_TCP_5201_FOR_RED = """
            ipop.firewall { default = deny, inbound = [ { proto = icmp, groups = [ "blue" ] },
                                                        { proto = tcp, port = 5201, groups = [ "red" ] } ] }
            """;
    private static MixedOverlay overlay;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Shell.isRoot(), "needs root for namespaces and TAP devices");
        overlay = new MixedOverlay("FirewallNetnsIT", Map.of());
        overlay.start("a", 5800, ICMP_FOR_BLUE);
        overlay.start("b", 5800);
        overlay.start("c", 5800);
        for (String h : new String[] {"a", "b", "c"}) {
            overlay.node(h).await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        }
        overlay.awaitAllUp(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (overlay != null) {
            overlay.close();
        }
    }

    @Test
    @Order(1)
    void icmpForBlueOnlyAndRepliesToOwnTrafficPass() {
        assertEquals(0, ping("b", "10.77.0.1", 5).exit(), "b is blue");
        Shell.Result fromC = ping("c", "10.77.0.1", 3);
        assertNotEquals(0, fromC.exit(), "c is red: " + fromC.output());
        assertTrue(fromC.output().contains("100% packet loss"), fromC.output());
        assertEquals(0, ping("a", "10.77.0.3", 5).exit(), "a's own pings to c get their replies (state)");
        JsonNode fw = overlay.node("a").get("/overlay/firewall");
        assertEquals("deny", fw.path("default_action").asText(), fw.toString());
        assertTrue(fw.path("inbound").path(0).path("hits").asLong() >= 5, fw.toString());
        assertTrue(refused(fw, "c") >= 3, "a counts c's pings as refused: " + fw);
        assertEquals(0, refused(fw, "b"), fw.toString());
        assertTrue(overlay.node("a").link("c").path("drops_by_reason").path("firewall").asLong() >= 3);
    }

    @Test
    @Order(2)
    void aReloadAddsATcpRuleForOnePortWithoutSettingLinksUpAgain() throws Exception {
        String sinceB = overlay.node("a").link("b").path("since").asText();
        String sinceC = overlay.node("a").link("c").path("since").asText();
        Files.writeString(overlay.configFile("a"), overlay.config("a", 5800) + WITH_TCP_5201_FOR_RED);
        Shell.check(Duration.ofSeconds(5), "kill", "-HUP", Long.toString(overlay.node("a").pid()));
        overlay.node("a").await(Duration.ofSeconds(15), "the new rules in force",
                n -> n.get("/overlay/firewall").path("inbound").size() == 2);
        assertEquals(sinceB, overlay.node("a").link("b").path("since").asText(), "link a-b untouched by the reload");
        assertEquals(sinceC, overlay.node("a").link("c").path("since").asText(), "link a-c untouched by the reload");

        assertTrue(iperf("c", 5201).ok(), "tcp 5201 from red is let in");
        Shell.Result other = iperf("c", 5202);
        assertTrue(!other.ok(), "tcp 5202 is not: " + other.output());
        JsonNode fw = overlay.node("a").get("/overlay/firewall");
        assertTrue(fw.path("inbound").path(1).path("hits").asLong() > 0, fw.toString());
    }

    private static Shell.Result ping(String from, String to, int count) {
        return overlay.topology.exec(from, Duration.ofSeconds(15), "ping", "-c", Integer.toString(count), "-i", "0.2",
                "-W", "1", to);
    }

    /** iperf3 for 1 s from {@code from} to a server on a's {@code port}; the server is stopped by PID either way. */
    private static Shell.Result iperf(String from, int port) throws Exception {
        Process server = overlay.spawn("a", overlay.dir.resolve("iperf3-" + port + ".log"),
                java.util.List.of("iperf3", "-s", "-1", "-B", "10.77.0.1", "-p", Integer.toString(port)));
        try {
            Thread.sleep(500);
            return overlay.topology.exec(from, Duration.ofSeconds(20), "iperf3", "-c", "10.77.0.1", "-p",
                    Integer.toString(port), "-t", "1", "--connect-timeout", "3000");
        } finally {
            Shell.stop(server);
        }
    }

    private static long refused(JsonNode fw, String peer) {
        for (JsonNode l : fw.path("links")) {
            if (l.path("peer").asText().equals(peer)) {
                return l.path("refused").asLong();
            }
        }
        throw new AssertionError("no link " + peer + " in " + fw);
    }
}
