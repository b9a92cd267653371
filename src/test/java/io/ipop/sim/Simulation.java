package io.ipop.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigReader;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.peer.LinkSettings;
import io.ipop.peer.SecuritySettings;
import io.ipop.secure.NonceCache;
import io.ipop.topology.Topology;
import io.ipop.topology.TopologySettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * N nodes' production topology and link setup in one JVM on virtual time (bench/simulate.sh, issue 20): every
 * node runs {@link Topology} on the directory's member ring and one {@code LinkMachine} per link, behind an
 * in-memory network ({@link SimNetwork}), a discrete-event {@link Scheduler} and a directory oracle
 * ({@link Directory}). No sockets, no TAP, no certificates (plaintext links: no DTLS).
 *
 * <p>Run: 1. all N nodes start at 0 and join; until every pair of nodes reaches each other ({@link Reach}:
 * {@code converge_s}); 2. {@code settle} (30) more seconds, then the control datagrams of a {@code window} (180) at rest
 * ({@code ctl_msgs_per_node_s}), the links per node, and greedy routes between 10,000 random pairs; 3. with
 * {@code --churn P}: P % of the nodes, chosen at random, die at once and start again {@code restart-after} later;
 * {@code converge_s} is then the time from their death until every pair of live nodes reaches each other again.
 * Configuration (link timers, topology) is the production one: reference.conf, overridden by {@code -Dipop....}.
 */
public final class Simulation {
    final SimNode[] nodes;
    final Scheduler scheduler = new Scheduler();
    final SimNetwork network = new SimNetwork(this);
    final Directory directory;
    final Clock clock = new VirtualClock();
    final NonceCache nonces = new NonceCache(Duration.ofSeconds(120), 16);
    final DataplaneCounters counters = new DataplaneCounters();
    final LinkSettings linkSettings;
    final SecuritySettings security = new SecuritySettings(SecuritySettings.Mode.NEVER, Set.of(), Optional.empty(),
            Duration.ofSeconds(60), Duration.ofSeconds(10));
    final Topology topology;
    /** Datagrams that reached a node with no session for their sender (and were not a member's con_req). */
    long noSession;
    private final Options options;
    private final SplittableRandom random;
    private final Reach reach;
    private final long wallStart = System.nanoTime();

    Simulation(Options options, Config config) {
        this.options = options;
        this.random = new SplittableRandom(options.seed());
        this.linkSettings = LinkSettings.read(new ConfigReader(config.getConfig("ipop.link"), "ipop.link"));
        this.topology = new Topology(TopologySettings.read(new ConfigReader(config.getConfig("ipop.topology"), "ipop.topology")));
        this.nodes = new SimNode[options.nodes()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new SimNode(this, i);
        }
        this.directory = new Directory(this, options.joinDelay().toNanos(), options.deathDelay().toNanos(),
                Scheduler.SECOND, random.split());
        this.reach = new Reach(nodes);
    }

    public static void main(String[] args) {
        Options options = Options.parse(args);
        Result r = new Simulation(options, ConfigFactory.load()).run();
        System.out.println(r.line());
    }

    Result run() {
        progress(nodes.length + " nodes, " + linkSettings + ", " + topology.settings());
        for (SimNode n : nodes) {
            n.start();
            directory.started(n.index, n.incarnation);
        }
        double joined = untilAllPairs(0, "join");
        scheduler.runUntil(scheduler.now() + options.settle().toNanos());
        long sentBefore = network.sent;
        long windowStart = scheduler.now();
        scheduler.runUntil(windowStart + options.window().toNanos());
        double ctl = (network.sent - sentBefore) / (double) nodes.length
                / ((scheduler.now() - windowStart) / (double) Scheduler.SECOND);
        int[] links = Arrays.stream(nodes).mapToInt(n -> n.upCount).sorted().toArray();
        int[] hops = reach.hops(options.pairs(), random.split());
        long failed = Arrays.stream(hops).filter(h -> h < 0).count();
        int[] ok = Arrays.stream(hops).filter(h -> h >= 0).sorted().toArray();
        progress("at rest: " + nodes.length + " nodes, sessions " + Arrays.stream(nodes).mapToInt(SimNode::sessions).sum()
                + ", routes failed " + failed + " of " + hops.length + ", heap " + heapMb() + " MB after GC");
        double converge = joined;
        if (options.churnPercent() > 0) {
            converge = churn();
        }
        return new Result(nodes.length, links[links.length - 1], Arrays.stream(links).average().orElse(0),
                percentile(ok, 50), percentile(ok, 99), failed, converge, ctl);
    }

    /** Kills churn % of the nodes at once and starts them again restart-after later; seconds until all pairs reach. */
    private double churn() {
        int count = (int) Math.round(nodes.length * options.churnPercent() / 100.0);
        int[] order = random.split().ints(0, nodes.length).distinct().limit(count).toArray();
        long at = scheduler.now();
        for (int i : order) {
            nodes[i].kill();
            directory.died(i, nodes[i].incarnation);
        }
        scheduler.after(options.restartAfter().toNanos(), new Scheduler.Event() {
            @Override
            void run() {
                for (int i : order) {
                    nodes[i].start();
                    directory.started(i, nodes[i].incarnation);
                }
            }
        });
        progress("churn: killed " + count + " nodes, restarting them in " + options.restartAfter().toSeconds() + " s");
        double converged = untilAllPairs(at, "churn");
        scheduler.runUntil(scheduler.now() + options.settle().toNanos());
        int[] links = Arrays.stream(nodes).filter(n -> n.alive).mapToInt(n -> n.upCount).sorted().toArray();
        int[] hops = reach.hops(options.pairs(), random.split());
        progress("after the churn and " + options.settle().toSeconds() + " s more: " + links.length + " live nodes, links max "
                + links[links.length - 1] + " mean " + String.format(java.util.Locale.ROOT, "%.1f",
                Arrays.stream(links).average().orElse(0)) + ", routes failed "
                + Arrays.stream(hops).filter(h -> h < 0).count() + " of " + hops.length + ", hops p99 "
                + percentile(Arrays.stream(hops).filter(h -> h >= 0).sorted().toArray(), 99));
        return converged;
    }

    /** Runs in steps of 100 ms until every pair of live nodes reaches each other; seconds since {@code from}, or -1. */
    private double untilAllPairs(long from, String phase) {
        long step = 100 * Scheduler.MILLI;
        long nextReport = scheduler.now() + 5 * Scheduler.SECOND;
        while (scheduler.now() - from < options.limit().toNanos()) {
            scheduler.runUntil(scheduler.now() + step);
            if (reach.allPairs()) {
                double s = (scheduler.now() - from) / (double) Scheduler.SECOND;
                progress(phase + ": every pair reachable after " + s + " s");
                return s;
            }
            if (scheduler.now() >= nextReport) {
                nextReport += 5 * Scheduler.SECOND;
                progress(phase + ": " + Arrays.stream(nodes).mapToInt(n -> n.upCount).sum() + " link ends up");
            }
        }
        progress(phase + ": not every pair reachable after " + options.limit().toSeconds() + " s");
        return -1;
    }

    private static int percentile(int[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static long heapMb() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return (rt.totalMemory() - rt.freeMemory()) >> 20;
    }

    private void progress(String what) {
        System.err.printf("sim t=%.1fs wall=%.1fs events=%d queued=%d: %s%n", scheduler.now() / 1e9,
                (System.nanoTime() - wallStart) / 1e9, scheduler.ran(), scheduler.pending(), what);
    }

    /** The last line bench/simulate.sh prints. */
    record Result(int nodes, int linksMax, double linksMean, int hopsP50, int hopsP99, long routesFailed,
                  double convergeSeconds, double ctlPerNodeSecond) {
        String line() {
            return String.format(java.util.Locale.ROOT,
                    "nodes=%d links_max=%d links_mean=%.1f hops_p50=%d hops_p99=%d converge_s=%s ctl_msgs_per_node_s=%.2f",
                    nodes, linksMax, linksMean, hopsP50, hopsP99,
                    convergeSeconds < 0 ? "never" : String.format(java.util.Locale.ROOT, "%.1f", convergeSeconds),
                    ctlPerNodeSecond);
        }
    }

    /** Wall time for the snapshots management would show: the virtual time since the epoch. */
    private final class VirtualClock extends Clock {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochSecond(0, scheduler.now());
        }
    }
}
