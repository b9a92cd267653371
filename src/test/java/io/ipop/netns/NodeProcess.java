package io.ipop.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real ipop-node process ({@code java -jar target/ipop-node.jar}) inside a test namespace. Its
 * output goes to {@code target/netns-logs/}. Stopped by its own PID only.
 */
final class NodeProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The data path's warm-up costs a node about 4 CPU seconds at start (docs/performance.md, "Warm start"),
     * which over the suite's ~180 node starts on two cores would add minutes; the tests' short transfers do
     * not need it. {@code OverlayNetnsIT} runs its nodes with the default and checks the warm-up ran.
     */
    static final String NO_WARM_UP = "-Dipop.dataplane.warm-up-frames=0";
    /**
     * C1 only: most nodes here carry a few pings and API calls, and without C2 compiling the start-up code a node
     * reaches its links on about half the CPU (three secure nodes starting at once on two cores: 7.3 CPU s and 4.0 s
     * to all links up, against 13.7 CPU s and 7.6 s; docs/testing.md). Every node of the suite starts with it.
     */
    static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";
    /**
     * Undoes {@link #QUICK_JIT} (a later option wins): for the tests whose checks lean on the data path's speed, such
     * as a number of megabytes moved during a flood, which run their nodes with the production JIT.
     */
    static final String FULL_JIT = "-XX:TieredStopAtLevel=4";
    /**
     * What the package's launcher adds on Java 23+ (src/deb/ipop-node): JNR's jffi and Pekko use {@code sun.misc.Unsafe}, which
     * Java 24+ reports on stderr unless allowed (JEP 498). The suite runs on the newest installed JDK (docs/testing.md).
     */
    static final List<String> JDK_OPTIONS = Runtime.version().feature() >= 23
            ? List.of("--sun-misc-unsafe-memory-access=allow") : List.of();

    private final Topology topology;
    private final String host;
    private final Path log;
    private final Process process;

    private NodeProcess(Topology topology, String host, Path log, Process process) {
        this.topology = topology;
        this.host = host;
        this.log = log;
        this.process = process;
    }

    /** Starts a node in {@code host}'s namespace with the given config text. */
    static NodeProcess start(Topology topology, String host, String config, String testName) throws IOException {
        return start(topology, host, config, testName, List.of());
    }

    /** Like {@link #start(Topology, String, String, String)}, with extra JVM options (e.g. a GC log). */
    static NodeProcess start(Topology topology, String host, String config, String testName, List<String> jvmOptions)
            throws IOException {
        List<String> options = new ArrayList<>(ClassDataArchive.options(jar()));
        options.add(NO_WARM_UP);
        options.add(QUICK_JIT);
        options.addAll(jvmOptions);                     // later options win: a test may warm up, or use C2, after all
        return startWithoutArchive(topology, host, config, testName, options);
    }

    /** Like {@link #start(Topology, String, String, String, List)}, without the class-data archive. */
    static NodeProcess startWithoutArchive(Topology topology, String host, String config, String testName,
            List<String> jvmOptions) throws IOException {
        Path dir = logDir(testName);
        Path conf = dir.resolve(host + ".conf");
        Files.writeString(conf, config);
        Path log = dir.resolve(host + "-" + System.currentTimeMillis() + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        String jar = jar();
        // `ip netns exec` execs the command after entering the namespace: the PID is the JVM's.
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.ns(host), java, "-Xmx256m"));
        cmd.addAll(JDK_OPTIONS);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar, "--config", conf.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new NodeProcess(topology, host, log, p);
    }

    /** The node jar under test; fails when it is missing. */
    private static String jar() {
        String jar = System.getProperty("ipop.jar", "target/ipop-node.jar");
        if (!new File(jar).isFile()) {
            throw new AssertionError("no node jar at " + jar + " (run mvn package first)");
        }
        return jar;
    }

    /**
     * Where a test's node logs and files go: {@code netns-logs/TEST} next to the node jar, i.e. in the build
     * directory ({@code target/} unless {@code -Dipop.build.dir} moves it). Created if missing.
     */
    static Path logDir(String testName) throws IOException {
        Path jar = Path.of(System.getProperty("ipop.jar", "target/ipop-node.jar")).toAbsolutePath();
        Path dir = jar.getParent().resolve("netns-logs").resolve(testName);
        Files.createDirectories(dir);
        return dir;
    }

    String host() {
        return host;
    }

    long pid() {
        return process.pid();
    }

    /** GET on the node's management API (inside its namespace), parsed; {@code null} if it does not answer 2xx. */
    JsonNode get(String path) {
        Shell.Result r = topology.exec(host, Duration.ofSeconds(5), "curl", "-fsS", "--max-time", "2",
                "http://127.0.0.1:8558" + path);
        if (!r.ok()) {
            return null;
        }
        try {
            return JSON.readTree(r.output());
        } catch (IOException e) {
            throw new AssertionError("not JSON from " + path + ": " + r.output());
        }
    }

    /** {@code GET /overlay/dataplane}; fails the test if the node does not answer. */
    JsonNode dataplane() {
        JsonNode dp = get("/overlay/dataplane");
        if (dp == null) {
            throw new AssertionError("node " + host + " does not answer /overlay/dataplane\n" + logTail());
        }
        return dp;
    }

    /** One drop counter of {@code /overlay/dataplane}, e.g. {@code drops("classify", "unknown_index")}. */
    long drops(String stage, String reason) {
        JsonNode n = dataplane().path("drops").path(stage).path(reason);
        if (!n.isNumber()) {
            throw new AssertionError("no counter drops." + stage + "." + reason + " in /overlay/dataplane");
        }
        return n.asLong();
    }

    /** Every drop counter of {@code /overlay/dataplane} as {@code stage.reason}. */
    Map<String, Long> allDrops() {
        Map<String, Long> m = new TreeMap<>();
        dataplane().path("drops").fields().forEachRemaining(stage ->
                stage.getValue().fields().forEachRemaining(c -> m.put(stage.getKey() + "." + c.getKey(), c.getValue().asLong())));
        return m;
    }

    /** The drop counters that moved from {@code before} to {@code after} ({@link #allDrops}), by how much. */
    static Map<String, Long> moved(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> m = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                m.put(k, d);
            }
        });
        return m;
    }

    /** Resident set size of the node's JVM in KiB ({@code VmRSS} in {@code /proc/PID/status}). */
    long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read the status of node " + host + " (pid " + pid() + "): " + e.getMessage());
        }
        throw new AssertionError("no VmRSS for pid " + pid());
    }

    /**
     * Java heap in use right after a full GC, in KiB: what the node's objects hold, whatever the collector
     * has left committed ({@code jcmd PID GC.run}, then {@code GC.heap_info}, with the test JVM's own jcmd: the
     * node runs on that JDK). {@code GC.heap_info}'s first line is {@code total 262144K, used 20964K} on Java 17 and
     * {@code total reserved 262144K, committed 262144K, used 20964K} on Java 25.
     */
    long liveHeapKb() {
        String self = Long.toString(pid());
        Path ownJcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String jcmd = Files.isExecutable(ownJcmd) ? ownJcmd.toString() : "jcmd";
        Shell.check(Duration.ofSeconds(30), jcmd, self, "GC.run");
        String info = Shell.check(Duration.ofSeconds(30), jcmd, self, "GC.heap_info");
        Matcher m = Pattern.compile("total (?:reserved )?\\d+K, (?:committed \\d+K, )?used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new AssertionError("no heap use in: " + info);
        }
        return Long.parseLong(m.group(1));
    }

    Path log() {
        return log;
    }

    boolean ready() {
        return topology.exec(host, Duration.ofSeconds(5), "curl", "-fsS", "--max-time", "2",
                "http://127.0.0.1:8558/ready").ok();
    }

    /** The {@code /overlay/links} entry for {@code peer}, or {@code null}. */
    JsonNode link(String peer) {
        JsonNode links = get("/overlay/links");
        if (links == null) {
            return null;
        }
        for (JsonNode l : links) {
            if (peer.equals(l.path("peer").asText())) {
                return l;
            }
        }
        return null;
    }

    String linkState(String peer) {
        JsonNode l = link(peer);
        return l == null ? null : l.path("state").asText();
    }

    /** Polls until {@code condition} holds; fails with the node's log tail after {@code limit}. */
    void await(Duration limit, String what, Predicate<NodeProcess> condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.test(this)) {
            if (!process.isAlive()) {
                throw new AssertionError(host + " exited (" + process.exitValue() + ") while waiting for " + what + "\n" + logTail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("node " + host + ": timed out after " + limit + " waiting for " + what + "\n" + logTail());
            }
            sleep(200);
        }
    }

    /** SIGKILL, as a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM; returns the exit code, or -1 if the node did not exit within {@code limit}. */
    int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    boolean alive() {
        return process.isAlive();
    }

    String logTail() {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
