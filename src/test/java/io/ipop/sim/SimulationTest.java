package io.ipop.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The smoke of bench/simulate.sh: 200 nodes on virtual time, in-process (no namespaces, no sockets). Checks the
 * last line's format and the bounds for this N (degree, hops, control messages at rest, every pair
 * reachable again within 30 virtual seconds of 10 % churn). Virtual seconds only: nothing here depends on how
 * fast this machine is.
 */
class SimulationTest {
    private static final Pattern LINE = Pattern.compile("nodes=(\\d+) links_max=(\\d+) links_mean=(\\d+\\.\\d) "
            + "hops_p50=(\\d+) hops_p99=(\\d+) converge_s=(\\d+\\.\\d|never) ctl_msgs_per_node_s=(\\d+\\.\\d\\d)");
    /** What bench/simulate.sh runs the nodes with by default (SIM_LINK). */
    private static final Config STRUCTURED_LINKS = ConfigFactory.parseString(
            "ipop.link { idle-keepalive = 25s, dead-after = 60s }");
    private static final int N = 200;
    private static final int LOG2_N = 8;

    @Test
    void twoHundredNodesJoinWithBoundedDegreeShortRoutesAndFewKeepalives() {
        Matcher m = run(N + " --settle 10 --window 60");
        assertEquals(N, Integer.parseInt(m.group(1)));
        assertTrue(Integer.parseInt(m.group(2)) <= 2 * LOG2_N + 8, "links_max " + m.group(2));
        assertTrue(Integer.parseInt(m.group(5)) <= LOG2_N, "hops_p99 " + m.group(5));
        assertTrue(!m.group(6).equals("never") && Double.parseDouble(m.group(6)) <= 30, "converge_s " + m.group(6));
        assertTrue(Double.parseDouble(m.group(7)) <= 1.0, "ctl_msgs_per_node_s " + m.group(7));
    }

    @Test
    void everyPairReachesEachOtherAgainWithinThirtySecondsOfTenPercentChurn() {
        Matcher m = run(N + " --churn 10 --settle 5 --window 5");
        assertTrue(!m.group(6).equals("never") && Double.parseDouble(m.group(6)) <= 30, "converge_s " + m.group(6));
    }

    @Test
    void killedNodesThatStayDownAreRoutedAroundOnceTheDirectoryDropsThem() {
        Matcher m = run(N + " --churn 10 --restart-after 600 --settle 5 --window 5 --limit 60");
        assertTrue(!m.group(6).equals("never") && Double.parseDouble(m.group(6)) <= 30, "converge_s " + m.group(6));
    }

    private static Matcher run(String args) {
        Simulation sim = new Simulation(Options.parse(args.split(" ")), STRUCTURED_LINKS.withFallback(ConfigFactory.load()));
        String line = sim.run().line();
        Matcher m = LINE.matcher(line);
        assertTrue(m.matches(), line);
        return m;
    }
}
