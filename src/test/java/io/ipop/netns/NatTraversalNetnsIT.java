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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two nodes behind NATs that know only a rendezvous ({@link NatLab}):
 *
 * <pre>
 *                 wan 198.51.100.0/24
 *     rv 198.51.100.10 (accept-inbound, relay)
 *          |                         |
 *     nat-a 198.51.100.2        nat-b 198.51.100.3        nftables masquerade [fully-random]
 *          |                         |
 *     host-a 192.0.2.10         host-b 203.0.113.10       static peer: rv only
 * </pre>
 *
 * Port-preserving NATs: the rendezvous announces each to the other, both probe at once, the link is
 * direct and the relay forwards nothing for it. Symmetric NATs: no direct path exists, the link (secure,
 * both in group blue) comes up through the relay, which sees only ciphertext. A rendezvous that does not
 * relay and announces nothing still passes link setup on ({@code fwd}): a knows b's public endpoint,
 * b knows only rv, and b learns of a, and where to probe it, only from a's con_req passed on by rv.
 */
class NatTraversalNetnsIT {
    private static final byte[] MARKER = "ipop-nat-marker!".getBytes(StandardCharsets.US_ASCII);

    @Test
    void portPreservingNatsLinkDirectly() throws Exception {
        Shell.requireRoot();
        Topology t = null;
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            t = NatLab.build(NatLab.Nat.PORT_PRESERVING, NatLab.Nat.PORT_PRESERVING);
            String test = "NatTraversalNetnsIT-direct";
            NodeProcess rv = NodeProcess.start(t, NatLab.RV, NatLab.config("rv", 1, RENDEZVOUS), test);
            NodeProcess a = NodeProcess.start(t, "host-a", NatLab.config("a", 2, behindNat("")), test);
            NodeProcess b = NodeProcess.start(t, "host-b", NatLab.config("b", 3, behindNat("")), test);
            nodes.addAll(List.of(rv, a, b));
            awaitLinked(a, b, Duration.ofSeconds(30));

            JsonNode ab = a.link("b");
            assertEquals("direct", ab.path("path").asText(), ab.toString());
            assertEquals("198.51.100.3:5800", ab.path("endpoint").asText(), ab.toString());
            assertEquals("rendezvous:rv", ab.path("discovered_by").asText());
            assertEquals("198.51.100.2:5800", ab.path("pair").path("local").asText(), "a's reflexive side: " + ab);
            assertEquals("direct", b.link("a").path("path").asText());
            assertEquals(2, rv.get("/overlay/node").path("nat").path("inbound_links").asInt());

            ping(t, "host-a", "10.77.0.3");
            ping(t, "host-b", "10.77.0.2");
            double mbits = iperf(t, "host-a", "host-b", "10.77.0.3");
            System.out.printf("NAT direct (port-preserving): a -> b %.1f Mbit/s, a's link %s%n", mbits, a.link("b"));
            assertEquals(0, relayedData(rv, "a", "b"), "the relay forwarded no data frames for a and b: "
                    + rv.get("/overlay/node").path("nat"));
            assertEquals("direct", a.link("b").path("path").asText());
        } finally {
            Topology.tearDown(nodes, t);
        }
    }

    @Test
    void aRendezvousWithoutRelayPassesLinkSetupOnAndTheLinkIsDirect() throws Exception {
        Shell.requireRoot();
        Topology t = null;
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            t = NatLab.build(NatLab.Nat.PORT_PRESERVING, NatLab.Nat.PORT_PRESERVING);
            String test = "NatTraversalNetnsIT-signal";
            // no relay, and the first announcement would come after an hour: only forwarding links a and b
            String rendezvous = "nat { accept-inbound = true, relay = false, announce-interval = 1h }\n";
            // a knows b's public endpoint, but nat-b drops what a sends there until b has sent to a
            String aKnowsB = """
                    peers = [ { name = "rv", endpoint = "%s:5800" }, { name = "b", endpoint = "198.51.100.3:5800" } ]
                    nat { stun-servers = [ "%s:5800" ], stun-interval = 5s, rendezvous = [ "rv" ] }
                    """.formatted(NatLab.RV_IP, NatLab.RV_IP);
            NodeProcess rv = NodeProcess.start(t, NatLab.RV, NatLab.config("rv", 1, rendezvous), test);
            NodeProcess a = NodeProcess.start(t, "host-a", NatLab.config("a", 2, aKnowsB), test);
            NodeProcess b = NodeProcess.start(t, "host-b", NatLab.config("b", 3,
                    behindNat("nat.rendezvous = [ \"rv\" ]")), test);
            nodes.addAll(List.of(rv, a, b));
            awaitLinked(a, b, Duration.ofSeconds(45));

            JsonNode ba = b.link("a");
            assertEquals("direct", ba.path("path").asText(), ba.toString());
            assertEquals("rendezvous:rv", ba.path("discovered_by").asText(), "b learned of a from rv: " + ba);
            assertEquals("198.51.100.2:5800", ba.path("endpoint").asText(), "a's public endpoint, not rv's: " + ba);
            assertTrue(ba.path("candidates").toString().contains("192.0.2.10:5800"),
                    "a's host candidate, from its forwarded hello: " + ba);
            assertEquals("direct", a.link("b").path("path").asText(), a.link("b").toString());
            assertEquals("198.51.100.3:5800", a.link("b").path("endpoint").asText());

            ping(t, "host-a", "10.77.0.3");
            ping(t, "host-b", "10.77.0.2");
            JsonNode rvNat = rv.get("/overlay/node").path("nat");
            JsonNode bNat = b.get("/overlay/node").path("nat");
            JsonNode rvDrops = rv.get("/overlay/dataplane").path("drops").path("signaling");
            System.out.printf("NAT signaling (no relay, no announcements): rv %s, drops %s; a %s; b %s; b's link %s%n",
                    rvNat.path("signaling"), rvDrops, a.get("/overlay/node").path("nat").path("signaling"),
                    bNat.path("signaling"), ba);
            assertTrue(rvNat.path("signaling").path("forwarded").asLong() > 0, "rv passed link setup on: " + rvNat);
            assertTrue(bNat.path("signaling").path("received").asLong() > 0, "b took it: " + bNat);
            assertTrue(rvNat.path("relayed").isNull(), "rv relays nothing: " + rvNat);
            assertEquals("direct", b.link("a").path("path").asText());
        } finally {
            Topology.tearDown(nodes, t);
        }
    }

    @Test
    void symmetricNatsLinkThroughTheRelayWhichSeesOnlyCiphertext() throws Exception {
        Shell.requireRoot();
        Topology t = null;
        List<NodeProcess> nodes = new ArrayList<>();
        Process tcpdump = null;
        try {
            String test = "NatTraversalNetnsIT-relay";
            Path dir = NodeProcess.logDir(test);
            Path pki = dir.resolve("pki").toAbsolutePath();
            OverlayCa.init(pki, true);
            OverlayCa.sign(pki, "rv", OverlayAddress.parse("10.77.0.1/24", true), List.of(), Duration.ofDays(1), true);
            OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), true);
            OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.3/24", true), List.of("blue"), Duration.ofDays(1), true);

            t = NatLab.build(NatLab.Nat.SYMMETRIC, NatLab.Nat.SYMMETRIC);
            NodeProcess rv = NodeProcess.start(t, NatLab.RV, NatLab.config("rv", 1, RENDEZVOUS + security(pki, "rv", "")), test);
            NodeProcess a = NodeProcess.start(t, "host-a", NatLab.config("a", 2, behindNat(security(pki, "a", "blue"))), test);
            NodeProcess b = NodeProcess.start(t, "host-b", NatLab.config("b", 3, behindNat(security(pki, "b", "blue"))), test);
            nodes.addAll(List.of(rv, a, b));
            awaitLinked(a, b, Duration.ofSeconds(45));

            JsonNode ab = a.link("b");
            assertEquals("relay(via=rv)", ab.path("path").asText(), ab.toString());
            assertTrue(ab.path("secure").asBoolean(), "a and b share group blue: " + ab);
            assertEquals("relay(via=rv)", b.link("a").path("path").asText());
            assertTrue(ab.path("endpoint").asText().startsWith(NatLab.RV_IP + ":"), ab.toString());

            Path capture = dir.resolve("rv-eth0.pcap").toAbsolutePath();
            Files.deleteIfExists(capture);
            tcpdump = t.spawn(NatLab.RV, dir.resolve("tcpdump.log"), List.of("tcpdump", "--immediate-mode", "-i", "eth0", "-U", "-Z", "root",
                    "-w", capture.toString(), "udp"));
            Tcpdump.awaitListening(tcpdump, dir.resolve("tcpdump.log"));
            Shell.Result marked = t.exec("host-a", Duration.ofSeconds(20), "ping", "-c", "5", "-i", "0.2", "-W", "3",
                    "-s", "200", "-p", HexFormat.of().formatHex(MARKER), "10.77.0.3");
            assertEquals(0, marked.exit(), marked.output());
            ping(t, "host-b", "10.77.0.2");
            double mbits = iperf(t, "host-a", "host-b", "10.77.0.3");
            Thread.sleep(500);
            Shell.stop(tcpdump);

            List<Pcap.Udp> seen = Pcap.udp(capture);
            long withMarker = seen.stream().filter(u -> Pcap.contains(u.payload(), MARKER)).count();
            // the marked pings' requests, by size (a 242-byte frame sealed): the iperf3 run alone would meet a count of all datagrams
            long relayed = seen.stream().filter(u -> u.src().equals(NatLab.RV_IP) && u.dst().equals("198.51.100.3")
                    && Pcap.carriesFrameOf(u, SecureNetnsIT.PING_FRAME)).count();
            JsonNode pair = relayPair(rv, "a", "b");
            System.out.printf("NAT relay (symmetric, secure): a -> b %.1f Mbit/s; rv captured %d datagrams, %d to nat-b, "
                    + "%d with the marker; relay counters %s%n", mbits, seen.size(), relayed, withMarker, pair);
            assertTrue(relayed >= 5, "the 5 pings crossed the relay: " + relayed);
            assertEquals(0, withMarker, "the relay must never see the marker in clear");
            assertEquals(0, pair.path("datagrams").path("data").asLong(), "no plaintext data frame crossed the relay: " + pair);
            assertTrue(pair.path("datagrams").path("secure_data").asLong() > 100, "sealed frames crossed it: " + pair);
        } finally {
            Shell.stop(tcpdump);
            Topology.tearDown(nodes, t);
        }
    }

    @Test
    void aRelayedLinkMovesToADirectPathWhenOneAppears() throws Exception {
        Shell.requireRoot();
        Topology t = null;
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            t = NatLab.build(NatLab.Nat.PORT_PRESERVING, NatLab.Nat.PORT_PRESERVING);
            // nat-a lets nothing through between a and nat-b: no direct path at first
            t.nft("nat-a", """
                    table ip ipopblock {
                      chain cut {
                        type filter hook forward priority filter - 10; policy accept;
                        ip daddr 198.51.100.3 drop
                      }
                    }
                    """);
            String test = "NatTraversalNetnsIT-move";
            NodeProcess rv = NodeProcess.start(t, NatLab.RV, NatLab.config("rv", 1, RENDEZVOUS), test);
            NodeProcess a = NodeProcess.start(t, "host-a", NatLab.config("a", 2, behindNat("")), test);
            NodeProcess b = NodeProcess.start(t, "host-b", NatLab.config("b", 3, behindNat("")), test);
            nodes.addAll(List.of(rv, a, b));
            awaitLinked(a, b, Duration.ofSeconds(45));
            assertEquals("relay(via=rv)", a.link("b").path("path").asText(), a.link("b").toString());
            ping(t, "host-a", "10.77.0.3");

            t.exec("nat-a", Duration.ofSeconds(5), "nft", "delete", "table", "ip", "ipopblock");  // the path appears
            a.await(Duration.ofSeconds(30), "a's link to b moves to direct", x -> "direct".equals(x.link("b").path("path").asText()));
            b.await(Duration.ofSeconds(30), "b's link to a moves to direct", x -> "direct".equals(x.link("a").path("path").asText()));
            assertEquals("198.51.100.3:5800", a.link("b").path("endpoint").asText());
            assertEquals("up", a.linkState("b"));
            assertFalse(relayPair(rv, "a", "b").isMissingNode(), "the relay has the pair a-b");
            long relayedBefore = relayedData(rv, "a", "b");
            assertTrue(relayedBefore >= 6, "the ping before the move crossed the relay: " + relayedBefore);
            ping(t, "host-a", "10.77.0.3");
            ping(t, "host-b", "10.77.0.2");
            System.out.printf("NAT move: a's link %s; relay forwarded %d data frames before the move%n", a.link("b"),
                    relayedBefore);
            assertEquals(relayedBefore, relayedData(rv, "a", "b"), "after the move the pings no longer cross the relay");
        } finally {
            Topology.tearDown(nodes, t);
        }
    }

    /** The rendezvous and relay on the wan. */
    private static final String RENDEZVOUS = "nat { accept-inbound = true, relay = true, announce-interval = 1s }\n";

    /** A node behind a NAT: the rendezvous is its only static peer, and its STUN server. */
    private static String behindNat(String extra) {
        return """
                peers = [ { name = "rv", endpoint = "%s:5800" } ]
                nat { stun-servers = [ "%s:5800" ], stun-interval = 5s, direct-timeout = 6s }
                %s
                """.formatted(NatLab.RV_IP, NatLab.RV_IP, extra);
    }

    private static String security(Path pki, String name, String group) {
        return """
                groups = [ %s ]
                security { mode = by-group, ca = "%s", cert = "%s", key = "%s" }
                """.formatted(group.isEmpty() ? "" : "\"" + group + "\"", pki.resolve("ca.crt"), pki.resolve(name + ".crt"),
                pki.resolve(name + ".key"));
    }

    private static void awaitLinked(NodeProcess a, NodeProcess b, Duration limit) {
        a.await(NatLab.START_LIMIT, "/ready", NodeProcess::ready);
        b.await(NatLab.START_LIMIT, "/ready", NodeProcess::ready);
        a.await(limit, "link to b up", x -> "up".equals(x.linkState("b")));
        b.await(limit, "link to a up", x -> "up".equals(x.linkState("a")));
    }

    private static void ping(Topology t, String from, String to) {
        Shell.Result r = t.exec(from, Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "3", to);
        assertEquals(0, r.exit(), "ping " + from + " -> " + to + "\n" + r.output());
    }

    private static double iperf(Topology t, String client, String server, String serverIp) throws Exception {
        Thread s = new Thread(() -> t.exec(server, Duration.ofSeconds(30), "iperf3", "-s", "-1", "-B", serverIp));
        s.start();
        Thread.sleep(500);
        Shell.Result r = t.exec(client, Duration.ofSeconds(30), "iperf3", "-c", serverIp, "-t", "2", "-J");
        s.join(35_000);
        assertEquals(0, r.exit(), r.output());
        double bps = new ObjectMapper().readTree(r.output()).path("end").path("sum_received").path("bits_per_second").asDouble();
        assertTrue(bps > 0, r.output());
        return bps / 1e6;
    }

    /** The relay's pair for x and y, or a missing node if it relays nothing for them. */
    private static JsonNode relayPair(NodeProcess rv, String x, String y) {
        for (JsonNode p : rv.get("/overlay/node").path("nat").path("relayed")) {
            String a = p.path("a").asText();
            String b = p.path("b").asText();
            if ((a.equals(x) && b.equals(y)) || (a.equals(y) && b.equals(x))) {
                return p;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    /** Data frames (plaintext and sealed) the relay forwarded between x and y. */
    private static long relayedData(NodeProcess rv, String x, String y) {
        JsonNode p = relayPair(rv, x, y);
        return p.path("datagrams").path("data").asLong() + p.path("datagrams").path("secure_data").asLong();
    }
}
