package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ipop.frame.OverlayAddress;
import io.ipop.netns.NatCases.Kind;
import io.ipop.secure.OverlayCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Case (d) of the NAT matrix with birthday probing (docs/nat.md, "Birthday probing"): host-a behind a symmetric NAT
 * (fully random ports over the whole range), host-b behind a port-preserving NAT that filters unsolicited inbound
 * (a) or lets it reach its own stack (b). Both ask two STUN servers (rv and coturn), so a knows it is the hard side.
 * The a-b link comes up on the relay, then moves to a direct path found by birthday probing within 30 s of both
 * having linked with rv; pings cross it both ways. The lab's pools (1024 sockets, 1024 guesses) make the chance
 * per attempt 1 - e^(-1024*1024/64512), above 99.99 %.
 */
class BirthdayNetnsIT {
    private static final Duration DIRECT = Duration.ofSeconds(30);
    private static final Duration START_LIMIT = Duration.ofSeconds(120);
    private static final byte[] MARKER = "ipop-bday-marker".getBytes(StandardCharsets.US_ASCII);
    private static final String HARD_PUBLIC = "198.51.102.2";

    @Test
    void d_symmetricAgainstFilteredMovesToADirectPathFoundByBirthdayProbing() throws Exception {
        run("d-filtered", Kind.FILTERED, false);
    }

    @Test
    void d_symmetricAgainstOpenMovesToADirectPathFoundByBirthdayProbing() throws Exception {
        run("d-open", Kind.OPEN, false);
    }

    /** The same with a secure link (a and b share group blue): the capture at host-b never shows the marker in clear. */
    @Test
    void d_secureLinkFoundByBirthdayProbingCarriesOnlyCiphertext() throws Exception {
        run("d-secure", Kind.FILTERED, true);
    }

    private static void run(String name, Kind easy, boolean secure) throws Exception {
        Shell.requireRoot();
        Topology t = null;
        Process coturn = null;
        Process tcpdump = null;
        List<NodeProcess> nodes = new ArrayList<>();
        String test = "BirthdayNetnsIT-" + name;
        try {
            Path dir = NodeProcess.logDir(test);
            String rvSec = "";
            String aSec = "";
            String bSec = "";
            if (secure) {
                Path pki = dir.resolve("pki").toAbsolutePath();
                OverlayCa.init(pki, true);
                OverlayCa.sign(pki, "rv", OverlayAddress.parse("10.77.0.1/24", true), List.of(), Duration.ofDays(1), true);
                OverlayCa.sign(pki, "a", OverlayAddress.parse("10.77.0.2/24", true), List.of("blue"), Duration.ofDays(1), true);
                OverlayCa.sign(pki, "b", OverlayAddress.parse("10.77.0.3/24", true), List.of("blue"), Duration.ofDays(1), true);
                rvSec = security(pki, "rv", "");
                aSec = security(pki, "a", "blue");
                bSec = security(pki, "b", "blue");
            }
            t = NatCases.pairWithStun(Kind.SYMMETRIC, easy);
            coturn = NatLab.startCoturn(t, dir.resolve("coturn.log"));
            NodeProcess rv = NodeProcess.start(t, "rv", NatLab.config("rv", 1, RENDEZVOUS + rvSec), test);
            NodeProcess a = NodeProcess.start(t, "host-a", NatLab.config("a", 2, BEHIND_NAT + aSec), test);
            NodeProcess b = NodeProcess.start(t, "host-b", NatLab.config("b", 3, BEHIND_NAT + bSec), test);
            nodes.addAll(List.of(rv, a, b));
            for (NodeProcess n : List.of(a, b)) {
                n.await(START_LIMIT, "/ready", NodeProcess::ready);
                n.await(START_LIMIT, "link to rv up", x -> "up".equals(x.linkState("rv")));
            }
            long t0 = System.nanoTime();
            double relayed = -1;
            double direct = -1;
            while (System.nanoTime() - t0 < DIRECT.toNanos()) {
                JsonNode ab = a.link("b");
                JsonNode ba = b.link("a");
                boolean bothUp = ab != null && ba != null && "up".equals(ab.path("state").asText())
                        && "up".equals(ba.path("state").asText());
                double now = (System.nanoTime() - t0) / 1e9;
                if (bothUp && relayed < 0 && ab.path("path").asText().startsWith("relay")) {
                    relayed = now;
                }
                if (bothUp && "direct".equals(ab.path("path").asText()) && "direct".equals(ba.path("path").asText())) {
                    direct = now;
                    break;
                }
                Thread.sleep(200);
            }
            JsonNode ab = a.link("b");
            JsonNode ba = b.link("a");
            JsonNode hard = a.get("/overlay/node").path("nat");
            JsonNode easySide = b.get("/overlay/node").path("nat");
            System.out.printf("birthday: case=%s relay_s=%.1f direct_s=%.1f%n  a: %s%n  b: %s%n  a birthday: %s%n"
                    + "  b birthday: %s%n", name, relayed, direct, ab, ba, hard.path("birthday"), easySide.path("birthday"));
            assertTrue(hard.path("symmetric").asBoolean(), "a sees its NAT is symmetric: " + hard);
            assertFalse(easySide.path("symmetric").asBoolean(), "b's NAT is port-preserving: " + easySide);
            assertTrue(direct >= 0 && direct <= DIRECT.toSeconds(), "direct within " + DIRECT + ": a " + ab + "\nb " + ba);
            assertTrue(ab.path("endpoint").asText().startsWith("198.51.103.2:"), "a at b's public address: " + ab);
            assertTrue(ba.path("endpoint").asText().startsWith(HARD_PUBLIC + ":"), "b at a's public address: " + ba);
            assertTrue(ab.path("reason").asText().contains("birthday"), "a says how the path was found: " + ab);
            assertTrue(ba.path("reason").asText().contains("birthday"), "b says how the path was found: " + ba);
            assertTrue(hard.path("birthday").path("hits").asLong() >= 1, hard.toString());
            assertTrue(hard.path("birthday").path("sockets_opened").asLong() >= HARD_SOCKETS, hard.toString());
            assertTrue(hard.path("birthday").path("sockets_closed").asLong() >= HARD_SOCKETS - 1, "the losers closed: " + hard);
            assertTrue(easySide.path("birthday").path("guesses_sent").asLong() >= 1, easySide.toString());
            if (secure) {
                assertTrue(ab.path("secure").asBoolean(), ab.toString());
                Path capture = dir.resolve("host-b-eth0.pcap").toAbsolutePath();
                Files.deleteIfExists(capture);
                tcpdump = t.spawn("host-b", dir.resolve("tcpdump.log"), List.of("tcpdump", "--immediate-mode", "-i", "eth0",
                        "-U", "-Z", "root", "-w", capture.toString(), "udp"));
                Tcpdump.awaitListening(tcpdump, dir.resolve("tcpdump.log"));
                Shell.Result marked = t.exec("host-a", Duration.ofSeconds(20), "ping", "-c", "5", "-i", "0.2", "-W", "3",
                        "-s", "200", "-p", HexFormat.of().formatHex(MARKER), "10.77.0.3");
                assertEquals(0, marked.exit(), marked.output());
                Thread.sleep(500);
                Shell.stop(tcpdump);
                List<Pcap.Udp> seen = Pcap.udp(capture);
                long withMarker = seen.stream().filter(u -> Pcap.contains(u.payload(), MARKER)).count();
                long fromHard = seen.stream().filter(u -> u.src().equals(HARD_PUBLIC)
                        && Pcap.carriesFrameOf(u, SecureNetnsIT.PING_FRAME)).count();
                System.out.printf("birthday secure: host-b captured %d datagrams, %d sealed pings from a's public address, "
                        + "%d with the marker%n", seen.size(), fromHard, withMarker);
                assertTrue(fromHard >= 5, "the pings came the direct way: " + fromHard);
                assertEquals(0, withMarker, "the marker never crosses in clear");
            }
            ping(t, "host-a", "10.77.0.3");
            ping(t, "host-b", "10.77.0.2");
        } finally {
            Shell.stop(tcpdump);
            Shell.stop(coturn);
            Topology.tearDown(nodes, t);
        }
    }

    private static void ping(Topology t, String from, String to) {
        Shell.Result r = t.exec(from, Duration.ofSeconds(20), "ping", "-c", "3", "-i", "0.2", "-W", "3", to);
        assertEquals(0, r.exit(), "ping " + from + " -> " + to + "\n" + r.output());
    }

    private static String security(Path pki, String name, String group) {
        return """
                groups = [ %s ]
                security { mode = by-group, ca = "%s", cert = "%s", key = "%s" }
                """.formatted(group.isEmpty() ? "" : "\"" + group + "\"", pki.resolve("ca.crt"), pki.resolve(name + ".crt"),
                pki.resolve(name + ".key"));
    }

    private static final int HARD_SOCKETS = 1024;
    private static final String RENDEZVOUS = "nat { accept-inbound = true, relay = true, announce-interval = 1s }\n";

    /** rv is the only static peer; rv and coturn the STUN servers; the lab's birthday pools. */
    private static final String BEHIND_NAT = """
            peers = [ { name = "rv", endpoint = "%s:5800" } ]
            nat {
              stun-servers = [ "%s:5800", "%s:%d" ], stun-interval = 5s, direct-timeout = 6s
              birthday { hard-sockets = %d, easy-guesses = 1024 }
            }
            """.formatted(NatCases.RV_IP, NatCases.RV_IP, NatLab.STUN_IP, NatLab.STUN_PORT, HARD_SOCKETS);
}
