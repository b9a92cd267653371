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
        BenchScript.Result r = BenchScript.run("bench/throughput.sh", List.of(),
                Map.of("BENCH_SECONDS", "1", "BENCH_RUNS", "1", "IPOP_JAR", jar), "ipb", LIMIT);
        String output = r.output();
        int exit = r.exit();
        List<String> leftAfterRun = r.leftBehind();
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
}
