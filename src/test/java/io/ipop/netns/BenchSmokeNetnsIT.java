package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Smoke runs of {@code bench/throughput.sh} (1 run of 1 s per case, with {@code --peers} where wireguard-go and
 * nebula are installed, as {@code .ci/run} does) and {@code bench/udp.sh} (1 s per case at a low rate) against
 * the jar under test. They check that the scripts work end to end (namespaces, the overlay cases, the
 * secure-link check, the peers, the summary line) and clean up after themselves. Not measurements: no speed
 * or loss figure is asserted beyond being a sane number. Needs root.
 */
class BenchSmokeNetnsIT {
    private static final Duration LIMIT = Duration.ofSeconds(200);
    private static final Pattern LAST_LINE =
            Pattern.compile("plain/direct=([0-9.]+) secure/direct=([0-9.]+) rtt_added_ms=(-?[0-9.]+)");
    private static final Pattern PEERS_FIELDS = Pattern.compile(
            " secure/best_peer=([0-9.]+) plain/best_peer=([0-9.]+) rtt_added_socat_ms=(-?[0-9.]+)");
    private static final Pattern UDP_LINE = Pattern.compile(
            "rate=20M loss_pct direct=([0-9.]+) plain=([0-9.]+) secure=([0-9.]+) cold_secure=([0-9.]+)");
    private static final Pattern FANOUT_LINE = Pattern.compile("p4/p1 direct=([0-9.]+) plain=([0-9.]+) secure=([0-9.]+)"
            + " fanout_min/max direct=([0-9.]+) plain=([0-9.]+) secure=([0-9.]+)");
    private static final List<String> PEER_TOOLS =
            List.of("/usr/bin/wireguard-go", "/usr/bin/wg", "/usr/bin/nebula", "/usr/bin/nebula-cert", "/usr/bin/socat");

    @Test
    void benchmarkScriptRunsAndPrintsItsSummaryLine() throws Exception {
        Shell.requireRoot();
        String jar = new File(System.getProperty("ipop.jar", "target/ipop-node.jar")).getAbsolutePath();
        Assumptions.assumeTrue(new File(jar).isFile(), "no node jar at " + jar);
        boolean peers = PEER_TOOLS.stream().allMatch(t -> Files.isExecutable(Path.of(t)));
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(peers, ".ci/run installs wireguard-go, wireguard-tools, nebula and socat: " + PEER_TOOLS);
        }
        BenchScript.Result r = BenchScript.run("bench/throughput.sh", peers ? List.of("--peers") : List.of(),
                Map.of("BENCH_SECONDS", "1", "BENCH_RUNS", "1", "IPOP_JAR", jar, "IPOP_JAVA_OPTS", BenchScript.nodeJavaOpts(jar)), "ipb", LIMIT);
        String output = r.output();
        int exit = r.exit();
        List<String> leftAfterRun = r.leftBehind();
        System.out.println(output);

        assertEquals(0, exit, "bench/throughput.sh failed:\n" + output);
        List<String> lines = Arrays.asList(output.strip().split("\n"));
        assertTrue(lines.stream().anyMatch(l -> l.contains("Java " + System.getProperty("java.runtime.version") + ", ")),
                "the header names the suite's Java, which BenchScript hands the script (the archive's):\n" + output);
        String last = lines.get(lines.size() - 1).strip();
        Pattern expected = peers ? Pattern.compile(LAST_LINE.pattern() + PEERS_FIELDS.pattern()) : LAST_LINE;
        Matcher m = expected.matcher(last);
        assertTrue(m.matches(), "last line is not the summary: '" + last + "'\n" + output);
        assertTrue(Double.parseDouble(m.group(1)) > 0, "plain/direct > 0: " + last);
        assertTrue(Double.parseDouble(m.group(2)) > 0, "secure/direct > 0: " + last);
        assertTrue(Double.isFinite(Double.parseDouble(m.group(3))), "rtt_added_ms is a number: " + last);
        List<String> cases = new ArrayList<>(List.of("direct", "plain", "secure"));
        if (Files.isExecutable(Path.of("/usr/bin/socat"))) {
            cases.add("socat");                         // the reference forwarder (.ci/run installs socat)
        }
        if (peers) {
            assertTrue(Double.parseDouble(m.group(4)) > 0, "secure/best_peer > 0: " + last);
            assertTrue(Double.parseDouble(m.group(5)) > 0, "plain/best_peer > 0: " + last);
            assertTrue(Double.isFinite(Double.parseDouble(m.group(6))), "rtt_added_socat_ms is a number: " + last);
            cases.addAll(List.of("wireguard", "nebula"));
        }
        for (String c : cases) {
            assertNotNull(lines.stream().filter(l -> l.startsWith(c + " ")).findFirst().orElse(null),
                    "a table row for " + c + ":\n" + output);
        }
        assertEquals(List.of(), leftAfterRun, "the script removes its namespaces on exit");
    }

    @Test
    void udpScriptRunsAndPrintsItsLossLine() throws Exception {
        Shell.requireRoot();
        String jar = new File(System.getProperty("ipop.jar", "target/ipop-node.jar")).getAbsolutePath();
        Assumptions.assumeTrue(new File(jar).isFile(), "no node jar at " + jar);
        BenchScript.Result r = BenchScript.run("bench/udp.sh", List.of("20M"),
                Map.of("BENCH_SECONDS", "1", "BENCH_WARMUP", "0", "IPOP_JAR", jar, "IPOP_JAVA_OPTS", BenchScript.nodeJavaOpts(jar)), "ipu", LIMIT);
        String output = r.output();
        System.out.println(output);

        assertEquals(0, r.exit(), "bench/udp.sh failed:\n" + output);
        String last = r.lastLine();
        Matcher m = UDP_LINE.matcher(last);
        assertTrue(m.matches(), "last line is not the loss line: '" + last + "'\n" + output);
        for (int g = 1; g <= 4; g++) {
            double loss = Double.parseDouble(m.group(g));
            assertTrue(loss >= 0 && loss <= 100, "a loss percentage between 0 and 100: " + last);
        }
        for (String c : List.of("direct", "plain", "secure", "cold_secure")) {
            assertTrue(output.lines().anyMatch(l -> l.startsWith(c + " ")), "a table row for " + c + ":\n" + output);
            assertTrue(output.contains("   " + c + ": loss ") && output.lines().anyMatch(
                    l -> l.startsWith("   " + c + ": loss ") && l.contains("counters that moved:")),
                    "the drop counters read around the " + c + " run:\n" + output);
        }
        assertEquals(List.of(), r.leftBehind(), "the script removes its namespaces on exit");
    }

    @Test
    void fanoutScriptRunsAndPrintsItsRatioLine() throws Exception {
        Shell.requireRoot();
        String jar = new File(System.getProperty("ipop.jar", "target/ipop-node.jar")).getAbsolutePath();
        Assumptions.assumeTrue(new File(jar).isFile(), "no node jar at " + jar);
        BenchScript.Result r = BenchScript.run("bench/fanout.sh", List.of(),
                Map.of("BENCH_SECONDS", "1", "BENCH_WARMUP", "1", "IPOP_JAR", jar, "IPOP_JAVA_OPTS", BenchScript.nodeJavaOpts(jar)), "ipf", LIMIT);
        String output = r.output();
        System.out.println(output);

        assertEquals(0, r.exit(), "bench/fanout.sh failed:\n" + output);
        String last = r.lastLine();
        Matcher m = FANOUT_LINE.matcher(last);
        assertTrue(m.matches(), "last line is not the ratio line: '" + last + "'\n" + output);
        for (int g = 1; g <= 6; g++) {
            double ratio = Double.parseDouble(m.group(g));
            assertTrue(ratio > 0 && (g <= 3 || ratio <= 1), "p4/p1 > 0, 0 < min/max <= 1: " + last);
        }
        for (String c : List.of("direct", "plain", "secure")) {
            assertTrue(output.lines().anyMatch(l -> l.startsWith(c + " ")), "a table row for " + c + ":\n" + output);
        }
        // each fan-out run names its retransmissions and the drop counters that moved, and the overlay runs
        // sample where bytes waited (the evidence the fair-queue figures in docs/performance.md rest on)
        assertTrue(output.lines().filter(l -> l.contains("fan-out retransmits n2/n3/n4 ")
                && l.contains("drop counters that moved:")).count() >= 3, "a retransmits line per fan-out run:\n" + output);
        assertTrue(output.lines().filter(l -> l.contains("queues mid-run (bytes/packets): n1 tap=")).count() >= 2,
                "a queue sample per overlay fan-out run:\n" + output);
        assertEquals(List.of(), r.leftBehind(), "the script removes its namespaces on exit");
    }
}
