package io.ipop.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Smoke run of {@code bench/churn.sh}: four nodes, one SIGKILLed and restarted every 10 s for half a minute. It
 * checks that the script works end to end and cleans up, and what is correctness rather than speed: every
 * restarted node relinked, no link is stuck afterwards, no node crashed. No time is asserted (the 10-minute soak
 * and its figures: docs/reliability.md). Needs root.
 */
class ChurnSmokeNetnsIT {
    private static final Pattern LAST_LINE = Pattern.compile("minutes=0\\.5 restarts=(\\d+) relink_s_p50=([0-9.]+) "
            + "relink_s_max=([0-9.]+) stuck_links=(\\d+) rss_growth_mb=(-?[0-9.]+) crashes=(\\d+)");

    /** bench/churn.sh's default IPOP_JAVA_OPTS but for what {@link BenchScript#nodeJavaOpts} adds (its own archive). */
    private static final String[] CHURN_DEFAULT_OPTS = {"-Xmx128m", "-XX:+UseSerialGC", "-Xss512k"};

    @Test
    void churnScriptRestartsNodesWhichRelinkAndLeavesNothingStuck() throws Exception {
        Shell.requireRoot();
        String jar = new File(System.getProperty("ipop.jar", "target/ipop-node.jar")).getAbsolutePath();
        Assumptions.assumeTrue(new File(jar).isFile(), "no node jar at " + jar);
        BenchScript.Result r = BenchScript.run("bench/churn.sh", List.of("0.5", "4"),
                Map.of("IPOP_JAR", jar, "CHURN_INTERVAL", "10", "CHURN_SETTLE", "10", "BENCH_CDS", "0",
                        "IPOP_JAVA_OPTS", BenchScript.nodeJavaOpts(jar, CHURN_DEFAULT_OPTS)), "ipc", Duration.ofSeconds(300));
        System.out.println(r.output());
        assertEquals(0, r.exit(), "bench/churn.sh failed:\n" + r.output());
        Matcher m = LAST_LINE.matcher(r.lastLine());
        assertTrue(m.matches(), "last line is not the summary: '" + r.lastLine() + "'\n" + r.output());
        assertTrue(Integer.parseInt(m.group(1)) >= 2, "at least two restarts in 30 s: " + r.lastLine());
        assertEquals("0", m.group(4), "no link stuck after the churn: " + r.lastLine());
        assertEquals("0", m.group(6), "no node crashed: " + r.lastLine());
        assertTrue(r.output().contains("relinked in"), "each restart relinked: " + r.output());
        assertTrue(!r.output().contains("NOT relinked"), "a restart did not relink within 60 s:\n" + r.output());
        assertEquals(List.of(), r.leftBehind(), "the script removes its namespaces on exit");
    }
}
