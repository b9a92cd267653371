package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Smoke run of {@code bench/throughput.sh}: 1 run of 1 s per case against the jar under test. It checks
 * that the script works end to end (namespaces, both overlay cases, the secure-link check, the summary
 * line) and cleans up after itself. Not a measurement: no speed is asserted. Needs root.
 */
class BenchSmokeNetnsIT {
    private static final Duration LIMIT = Duration.ofSeconds(150);
    private static final Pattern LAST_LINE =
            Pattern.compile("plain/direct=([0-9.]+) secure/direct=([0-9.]+) rtt_added_ms=(-?[0-9.]+)");

    @Test
    void benchmarkScriptRunsAndPrintsItsSummaryLine() throws Exception {
        Shell.requireRoot();
        String jar = new File(System.getProperty("ipop.jar", "target/ipop-node.jar")).getAbsolutePath();
        Assumptions.assumeTrue(new File(jar).isFile(), "no node jar at " + jar);
        Path script = Path.of("bench", "throughput.sh").toAbsolutePath();

        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
        pb.environment().put("BENCH_SECONDS", "1");
        pb.environment().put("BENCH_RUNS", "1");
        pb.environment().put("IPOP_JAR", jar);
        pb.environment().remove("BENCH_KEEP");
        Process p = pb.start();
        // the script names its namespaces after its own PID (bash execs no wrapper: p.pid() is the script)
        String prefix = "ipb" + p.pid();
        String output;
        int exit;
        List<String> leftAfterRun;
        try {
            StringBuilder out = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    out.append("(output lost: ").append(e.getMessage()).append(')');
                }
            });
            reader.start();
            if (!p.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                reader.join(5000);
                throw new AssertionError("bench/throughput.sh did not finish within " + LIMIT + "\n" + out);
            }
            reader.join(10_000);
            output = out.toString();
            exit = p.exitValue();
        } finally {
            if (p.isAlive()) {
                stop(p);
            }
            leftAfterRun = namespaces(prefix);
            for (String ns : leftAfterRun) {
                Shell.run(Duration.ofSeconds(10), "ip", "netns", "del", ns);
            }
        }
        System.out.println(output);

        assertEquals(0, exit, "bench/throughput.sh failed:\n" + output);
        List<String> lines = Arrays.asList(output.strip().split("\n"));
        String last = lines.get(lines.size() - 1).strip();
        Matcher m = LAST_LINE.matcher(last);
        assertTrue(m.matches(), "last line is not the summary: '" + last + "'\n" + output);
        assertTrue(Double.parseDouble(m.group(1)) > 0, "plain/direct > 0: " + last);
        assertTrue(Double.parseDouble(m.group(2)) > 0, "secure/direct > 0: " + last);
        assertTrue(Double.isFinite(Double.parseDouble(m.group(3))), "rtt_added_ms is a number: " + last);
        List<String> cases = new ArrayList<>(List.of("direct", "plain", "secure"));
        if (Files.isExecutable(Path.of("/usr/bin/socat"))) {
            cases.add("socat");                         // the reference forwarder (.ci/run installs socat)
        }
        for (String c : cases) {
            assertNotNull(lines.stream().filter(l -> l.startsWith(c + " ")).findFirst().orElse(null),
                    "a table row for " + c + ":\n" + output);
        }
        assertEquals(List.of(), leftAfterRun, "the script removes its namespaces on exit");
    }

    /** SIGTERM (the script's trap stops its nodes and deletes its namespaces), then SIGKILL of what is left. */
    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The script's namespaces ({@code <prefix>-a}, {@code <prefix>-b}) that exist now. */
    private static List<String> namespaces(String prefix) {
        String list = Shell.run(Duration.ofSeconds(10), "ip", "netns", "list").output();
        return Arrays.stream(list.split("\n"))
                .map(l -> l.split(" ")[0].strip())
                .filter(n -> n.equals(prefix + "-a") || n.equals(prefix + "-b"))
                .toList();
    }
}
