package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * STUN through real NATs ({@link NatLab}): nodes behind nat-a (port-preserving masquerade) and nat-b
 * (symmetric, fully-random) ask coturn and an ipop-node on the wan for their server-reflexive endpoint.
 *
 * <pre>
 *   rv 198.51.100.10 (ipop-node)   stun 198.51.100.20 (coturn)      wan 198.51.100.0/24
 *              \__________________________|____________________________
 *                                   nat-a .2                    nat-b .3
 *                              (masquerade)          (masquerade fully-random)
 *                               host-a 192.0.2.10         host-b 203.0.113.10
 * </pre>
 */
class StunNatNetnsIT {

    @Test
    void coturnAndAnIpopNodeReturnTheNatsPublicAddressAndPort() throws Exception {
        Shell.requireRoot();
        Topology t = null;
        Process coturn = null;
        List<NodeProcess> nodes = new ArrayList<>();
        try {
            t = NatLab.build(NatLab.Nat.PORT_PRESERVING, NatLab.Nat.SYMMETRIC);
            Path dir = NodeProcess.logDir("StunNatNetnsIT");
            coturn = NatLab.startCoturn(t, dir.resolve("coturn.log"));
            String servers = "nat.stun-servers = [ \"" + NatLab.STUN_IP + ":" + NatLab.STUN_PORT + "\", \""
                    + NatLab.RV_IP + ":5800\" ]\nnat.stun-interval = 2s";
            NodeProcess rv = NodeProcess.start(t, NatLab.RV, NatLab.config("rv", 1, ""), "StunNatNetnsIT");
            nodes.add(rv);
            NodeProcess a = NodeProcess.start(t, "host-a", NatLab.config("a", 2, servers), "StunNatNetnsIT");
            nodes.add(a);
            NodeProcess b = NodeProcess.start(t, "host-b", NatLab.config("b", 3, servers), "StunNatNetnsIT");
            nodes.add(b);
            for (NodeProcess n : nodes) {
                n.await(NatLab.START_LIMIT, "/ready", NodeProcess::ready);
            }
            for (NodeProcess n : List.of(a, b)) {
                n.await(Duration.ofSeconds(20), "both STUN servers answered", StunNatNetnsIT::bothAnswered);
            }

            // port-preserving NAT: both servers see nat-a's address and the node's own port
            List<String> seenA = mapped(a);
            assertEquals(List.of("198.51.100.2:5800", "198.51.100.2:5800"), seenA, a.get("/overlay/node").toString());
            assertEquals("198.51.100.2:5800", a.get("/overlay/node").path("reflexive_endpoint").asText());

            // symmetric NAT: nat-b's address, but a port of its own per destination
            List<String> seenB = mapped(b);
            for (String s : seenB) {
                assertTrue(s.startsWith("198.51.100.3:"), "b is seen from nat-b's address: " + seenB);
            }
            assertNotEquals(seenB.get(0), seenB.get(1), "fully-random NAT maps per destination: " + seenB);

            // the ipop-node on the wan answered both, coturn too (its log shows nothing wrong: we check the answers)
            assertTrue(rv.get("/overlay/node").path("nat").path("stun_answered").asLong() >= 2, rv.get("/overlay/node").toString());
            assertEquals(0, a.drops("classify", "stun_malformed"));
            assertEquals(0, b.drops("classify", "stun_malformed"));
            System.out.println("STUN: a (port-preserving NAT) seen as " + seenA + "; b (symmetric NAT) seen as " + seenB);
        } finally {
            Shell.stop(coturn);
            Topology.tearDown(nodes, t);
        }
    }

    private static boolean bothAnswered(NodeProcess n) {
        JsonNode node = n.get("/overlay/node");
        if (node == null) {
            return false;
        }
        for (JsonNode s : node.path("nat").path("stun_servers")) {
            if (s.path("mapped").isNull() || s.path("mapped").isMissingNode()) {
                return false;
            }
        }
        return node.path("nat").path("stun_servers").size() == 2;
    }

    private static List<String> mapped(NodeProcess n) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : n.get("/overlay/node").path("nat").path("stun_servers")) {
            out.add(s.path("mapped").asText());
        }
        return out;
    }
}
