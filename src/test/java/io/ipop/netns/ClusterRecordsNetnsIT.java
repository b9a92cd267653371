package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An insider in the cluster directory, with real node processes: a (seed), b and c are nodes of one CA and link to
 * each other through the cluster; x holds a valid certificate of the same CA and joins the cluster over TLS, but
 * runs {@link ForgingMember}: it floods the directory with {@value #FLOOD} fake records, binds its own record to
 * b's member, and for {@value #ATTACK_SECONDS} s alternately deletes b's record and writes one in b's name that
 * points elsewhere. a and c must follow none of it: their links are to b and each other only, the link to b stays
 * up the whole time without reconnecting, and every forgery is counted by reason in {@code /overlay/node} and
 * {@code /metrics}. On a build without signed records the link to b is torn down and sessions open to the fake
 * peers. Needs root (CI runs as root).
 */
class ClusterRecordsNetnsIT {
    private static final String TEST = "ClusterRecordsNetnsIT";
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "c", 3, "x", 9);
    private static final List<String> NODES = List.of("a", "b", "c");
    private static final int CLUSTER_PORT = 17355;
    private static final int FLOOD = 300;
    private static final int ATTACK_SECONDS = 15;
    private static final long TRANSFER_BYTES = 200_000;
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    private static Topology topology;
    private static final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private static Process forger;
    private static Path forgerLog;
    /** What a and c showed during the attack that they must not have. */
    private static final List<String> violations = new ArrayList<>();

    @BeforeAll
    static void attack() throws Exception {
        Shell.requireRoot();
        Path dir = NodeProcess.logDir(TEST);
        Path pki = dir.resolve("pki");
        OverlayCa.init(pki, true);
        for (String h : HOSTS.keySet()) {
            OverlayCa.sign(pki, h, OverlayAddress.parse("10.77.0." + HOSTS.get(h) + "/24", true), List.of("blue"),
                    Duration.ofDays(1), true);
        }
        topology = new Topology();
        HOSTS.forEach((h, i) -> topology.host(h, i));
        for (String h : NODES) {
            nodes.put(h, NodeProcess.start(topology, h, config(h, pki), TEST));
        }
        for (String h : NODES) {
            nodes.get(h).await(START_LIMIT, "/ready", NodeProcess::ready);
        }
        for (String h : List.of("a", "c")) {
            for (String peer : NODES) {
                if (!peer.equals(h)) {
                    nodes.get(h).await(START_LIMIT, "link to " + peer + " up", n -> "up".equals(n.linkState(peer)));
                }
            }
        }
        Map<String, String> bSince = new LinkedHashMap<>();
        for (String h : List.of("a", "c")) {
            bSince.put(h, nodes.get(h).link("b").path("since").asText());
        }

        Path forgerConf = dir.resolve("x.conf");
        Files.writeString(forgerConf, config("x", pki));
        forgerLog = dir.resolve("x-forger.log");
        forger = topology.spawn("x", forgerLog, Topology.testJava("256m", ForgingMember.class.getName(),
                forgerConf.toString(), "b", "pekko://ipop@192.0.2.2:" + CLUSTER_PORT + "#1", String.valueOf(FLOOD),
                String.valueOf(ATTACK_SECONDS)));
        awaitLog("forger: up", START_LIMIT);
        long end = System.nanoTime() + Duration.ofSeconds(ATTACK_SECONDS + 5).toNanos();
        while (System.nanoTime() < end) {
            for (String h : List.of("a", "c")) {
                watch(h, bSince.get(h));
            }
            Thread.sleep(500);
        }
        awaitLog("forger: done", Duration.ofSeconds(30));
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            if (forger != null) {
                forger.destroyForcibly();              // by its own PID
                forger.waitFor();
            }
        } finally {
            Topology.tearDown(nodes.values(), topology);
        }
    }

    /** One look at {@code h}: its links are to the real nodes only, and the link to b is the one from before. */
    private static void watch(String h, String bSince) {
        JsonNode links = nodes.get(h).get("/overlay/links");
        if (links == null) {
            violations.add(h + " did not answer /overlay/links");
            return;
        }
        Set<String> peers = new TreeSet<>();
        for (JsonNode l : links) {
            String peer = l.path("peer").asText();
            peers.add(peer);
            if (peer.equals("b") && (!l.path("state").asText().equals("up") || !l.path("since").asText().equals(bSince)
                    || !l.path("endpoint").asText().equals("192.0.2.2:5800"))) {
                violations.add(h + ": link to b " + l.path("state").asText() + " since " + l.path("since").asText()
                        + " at " + l.path("endpoint").asText() + " (was up since " + bSince + ")");
            }
        }
        if (!peers.contains("b")) {
            violations.add(h + ": no link to b");
        }
        Set<String> real = new TreeSet<>(NODES);
        real.remove(h);
        if (!peers.equals(real)) {
            violations.add(h + ": links to " + (peers.size() > 8 ? peers.size() + " peers" : peers));
        }
    }

    @Test
    void theNodesFollowNoForgedRecordAndKeepTheirLinkToTheRealNode() throws Exception {
        assertEquals(List.of(), violations.stream().distinct().limit(20).toList());
        assertTrue(transfer("a", "b").contains("bytes=" + TRANSFER_BYTES), "TCP a -> b over the overlay after the attack");
    }

    /** A short TCP transfer over the overlay ({@link TcpTransfer}); the sender's output. */
    private static String transfer(String from, String to) throws Exception {
        String ip = "10.77.0." + HOSTS.get(to);
        Path out = NodeProcess.logDir(TEST).resolve("recv-" + to + ".out");
        Process receiver = topology.spawn(to, out, Topology.testJava("64m", TcpTransfer.class.getName(), "recv", ip, "5201", "30"));
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.readString(out).contains("listening")) {
                if (!receiver.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("receiver did not start: " + Files.readString(out));
                }
                Thread.sleep(50);
            }
            Shell.Result sent = topology.exec(from, Duration.ofSeconds(40), Topology.testJava("64m", TcpTransfer.class.getName(),
                    "send", ip, "5201", String.valueOf(TRANSFER_BYTES), "1", "20").toArray(String[]::new));
            return sent.output();
        } finally {
            receiver.destroyForcibly();                 // by its own PID
            receiver.waitFor();
        }
    }

    @Test
    void everyForgeryIsCountedByReason() {
        for (String h : List.of("a", "c")) {
            JsonNode records = nodes.get(h).get("/overlay/node").path("cluster_records");
            System.out.println(TEST + ": " + h + " cluster_records " + records);
            JsonNode refused = records.path("refused");
            assertTrue(refused.path("unsigned").asLong() >= FLOOD, h + ": the flood is unsigned: " + records);
            assertTrue(refused.path("identity_mismatch").asLong() >= 1, h + ": x's key in b's name: " + records);
            assertTrue(refused.path("wrong_member").asLong() >= 1, h + ": x's record bound to b's member: " + records);
            assertEquals(2, records.path("followed").asInt(), h + ": " + records);
        }
        String metrics = topology.exec("a", Duration.ofSeconds(5), "curl", "-fsS", "--max-time", "2",
                "http://127.0.0.1:8558/metrics").output();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("ipop_cluster_records_refused_total{reason=\"unsigned\"}")),
                "metric of refused records\n" + metrics.lines().filter(l -> l.contains("cluster")).toList());
    }

    private static void awaitLog(String line, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!Files.readString(forgerLog).contains(line)) {
            if (!forger.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("forger: no \"" + line + "\" (alive " + forger.isAlive() + ")\n"
                        + Files.readString(forgerLog));
            }
            Thread.sleep(200);
        }
    }

    /** Cluster only, seed a, the certificate turns on cluster TLS. */
    private static String config(String host, Path pki) {
        return NodeConfig.clusterNode(host, HOSTS.get(host), pki, "pekko://ipop@192.0.2.1:" + CLUSTER_PORT);
    }
}
