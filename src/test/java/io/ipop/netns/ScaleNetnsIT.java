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
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 20's 32 real nodes: {@code bench/scale.sh --topology structured 32} (32 node JVMs in namespaces, Pekko
 * Cluster as the directory, the many-node settings of docs/configuration.md), and its last line checked: at
 * most 2·ceil(log2 32) + 4 = 14 topology links per node, every one of the 992 ordered pairs pings (the script
 * fails otherwise), a sustained iperf3 between two members without a link gets a direct on-demand link within
 * 10 s and runs to its end. Opt-in ({@code -Dipop.scale32=true}): 32 JVMs take 3-8 minutes to start on a
 * 2-core machine, far beyond a namespace test's budget (docs/performance.md). Needs root.
 */
class ScaleNetnsIT {
    private static final Duration LIMIT = Duration.ofMinutes(11);
    private static final Pattern LAST_LINE = Pattern.compile("nodes=32 topology=structured all_up_s=([0-9.]+) "
            + "links_max=([0-9]+) links_mean=([0-9.]+) idle_cpu_pct_max=([0-9.]+) rss_mb_max=([0-9.]+) "
            + "idle_cpu_pct_mean=([0-9.]+) pairs_ok=([0-9]+)/([0-9]+) ondemand_s=([0-9.]+) up_after_last_start_s=([0-9.]+)");

    @Test
    @EnabledIfSystemProperty(named = "ipop.scale32", matches = "true")
    void thirtyTwoStructuredNodesLinkBoundedAndEveryPairPings() throws Exception {
        Shell.requireRoot();
        String jar = new File(System.getProperty("ipop.jar", "target/ipop-node.jar")).getAbsolutePath();
        Assumptions.assumeTrue(new File(jar).isFile(), "no node jar at " + jar);
        BenchScript.Result r = BenchScript.run("bench/scale.sh", List.of("--topology", "structured", "32"),
                Map.of("IPOP_JAR", jar, "SCALE_LIMIT", "420", "SCALE_IDLE", "20", "SCALE_SETTLE", "15"), "ips", LIMIT);
        System.out.println(r.output());

        assertEquals(0, r.exit(), "bench/scale.sh --topology structured 32 failed:\n" + r.output());
        Matcher m = LAST_LINE.matcher(r.lastLine());
        assertTrue(m.matches(), "last line is not the summary: '" + r.lastLine() + "'");
        assertTrue(Integer.parseInt(m.group(2)) <= 14, "at most 14 topology links per node: " + r.lastLine());
        assertEquals(m.group(8), m.group(7), "every ordered pair pings: " + r.lastLine());
        assertEquals("992", m.group(8), "all 32 x 31 ordered pairs tried: " + r.lastLine());
        assertTrue(Double.parseDouble(m.group(9)) <= 10, "on-demand direct link within 10 s: " + r.lastLine());
        assertEquals(List.of(), r.leftBehind(), "the script removes its namespaces on exit");
    }
}
