package io.ipop.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test hosts on this machine: one network namespace per host, each with {@code eth0} on a bridge in a
 * hub namespace. Names carry a per-run prefix; {@link #close} removes every namespace it made.
 * Underlay addresses come from the documentation range 192.0.2.0/24.
 */
final class Topology implements AutoCloseable {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private final String prefix = "ipt" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    private final String hub = prefix + "-hub";
    private final List<String> created = new ArrayList<>();
    private final Map<String, String> underlayIps = new LinkedHashMap<>();

    Topology() {
        add(hub);
        ip("-n", hub, "link", "add", "br0", "type", "bridge");
        ip("-n", hub, "link", "set", "br0", "up");
    }

    /** Adds host {@code name} with underlay address 192.0.2.{@code host}/24. */
    Topology host(String name, int host) {
        return host(name, "192.0.2." + host + "/24");
    }

    /** Adds host {@code name} with {@code eth0} on the hub's bridge at {@code cidr} (e.g. {@code 198.51.100.10/24}). */
    Topology host(String name, String cidr) {
        String inner = newHost(name, cidr, hub);
        ip("-n", hub, "link", "set", inner, "master", "br0", "up");
        underlayIps.put(name, cidr.substring(0, cidr.indexOf('/')));
        return this;
    }

    /**
     * Adds host {@code name} behind {@code router} (a host already made): a veth pair, {@code lan0} at
     * {@code routerCidr} on the router and {@code eth0} at {@code hostCidr} on the new host, whose default
     * route goes through the router. The router forwards.
     */
    Topology hostBehind(String router, String routerCidr, String name, String hostCidr) {
        String inner = newHost(name, hostCidr, ns(router));
        ip("-n", ns(router), "link", "set", inner, "name", "lan0");
        ip("-n", ns(router), "addr", "add", routerCidr, "dev", "lan0");
        ip("-n", ns(router), "link", "set", "lan0", "up");
        ip("-n", ns(name), "route", "add", "default", "via", routerCidr.substring(0, routerCidr.indexOf('/')));
        Shell.check(LIMIT, "ip", "netns", "exec", ns(router), "sysctl", "-qw", "net.ipv4.ip_forward=1");
        underlayIps.put(name, hostCidr.substring(0, hostCidr.indexOf('/')));
        return this;
    }

    /**
     * Adds host {@code name} on the LAN of {@code router}, beside the host {@link #hostBehind} put there: the
     * router's {@code lan0} and the new host's link become ports of a bridge {@code lanbr} that takes over
     * {@code routerCidr} (so rules name {@code lanbr}, not {@code lan0}, from then on).
     */
    Topology anotherHostBehind(String router, String routerCidr, String name, String hostCidr) {
        String r = ns(router);
        if (!exec(router, LIMIT, "ip", "link", "show", "lanbr").ok()) {
            ip("-n", r, "link", "add", "lanbr", "type", "bridge");
            ip("-n", r, "addr", "flush", "dev", "lan0");
            ip("-n", r, "link", "set", "lan0", "master", "lanbr");
            ip("-n", r, "addr", "add", routerCidr, "dev", "lanbr");
            ip("-n", r, "link", "set", "lanbr", "up");
        }
        String inner = newHost(name, hostCidr, r);
        ip("-n", r, "link", "set", inner, "master", "lanbr", "up");
        ip("-n", ns(name), "route", "add", "default", "via", routerCidr.substring(0, routerCidr.indexOf('/')));
        underlayIps.put(name, hostCidr.substring(0, hostCidr.indexOf('/')));
        return this;
    }

    /** Adds a route in {@code host}: {@code destination} (a prefix) via {@code gateway}. */
    Topology route(String host, String destination, String gateway) {
        ip("-n", ns(host), "route", "add", destination, "via", gateway);
        return this;
    }

    /**
     * Adds namespace {@code name} with {@code eth0} at {@code cidr}, one end of a veth pair whose other end is
     * moved to namespace {@code otherNs}, down and unconfigured; returns that end's name.
     */
    private String newHost(String name, String cidr, String otherNs) {
        String ns = ns(name);
        add(ns);
        String outer = vethName(name, 0);
        String inner = vethName(name, 1);
        ip("link", "add", outer, "type", "veth", "peer", "name", inner);
        ip("link", "set", outer, "netns", ns);
        ip("link", "set", inner, "netns", otherNs);
        ip("-n", ns, "link", "set", outer, "name", "eth0");
        ip("-n", ns, "addr", "add", cidr, "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "link", "set", "lo", "up");
        return inner;
    }

    /** A temporary veth name within IFNAMSIZ (15): the host's name if short enough, else a number. */
    private String vethName(String host, int end) {
        String base = prefix + host;
        if (base.length() + 1 > 15) {
            base = prefix + "v" + underlayIps.size();
        }
        return base + end;
    }

    String ns(String host) {
        return prefix + "-" + host;
    }

    String underlayIp(String host) {
        return underlayIps.get(host);
    }

    /** Runs a command inside {@code host}'s namespace. */
    Shell.Result exec(String host, Duration limit, String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
        full.addAll(List.of(cmd));
        return Shell.run(limit, full);
    }

    /**
     * Starts {@code cmd} in {@code host}'s namespace in the background, output to {@code output}. The
     * caller owns the process and stops it by its PID ({@code ip netns exec} execs the command, so the
     * PID is the command's own).
     */
    Process spawn(String host, Path output, List<String> cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(host)));
        full.addAll(cmd);
        try {
            return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + String.join(" ", full) + ": " + e.getMessage(), e);
        }
    }

    /** A {@code java} command line running {@code mainClass} from the test classpath (test tools such as {@link TcpTransfer}). */
    static List<String> testJava(String heap, String mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(NodeProcess.JDK_OPTIONS);                // as the Surefire JVM (pom.xml): no JNR or Pekko warnings in their output
        cmd.addAll(List.of("-cp", cp, mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * Drops {@code percent}% of the UDP datagrams to {@code port} that arrive at {@code host}, at random
     * (nftables {@code numgen random}; netem is not available here). Replaces an earlier rule.
     *
     * <p>A sender with UDP segmentation offload hands the kernel up to 64 datagrams as one packet, and
     * veth and the bridge pass it on whole, so a rule at the receiver would drop them all at once. On a
     * real path they are cut apart before the wire; so here, by the bridge port towards {@code host}
     * allowing one segment per packet ({@code gso_max_segs 1}): the rule sees, and drops, datagrams.
     */
    void dropUdpIn(String host, int port, int percent) {
        clearDrops(host);
        ip("-n", hub, "link", "set", prefix + host + "1", "gso_max_segs", "1");
        String rules = """
                table inet ipoploss {
                  chain in {
                    type filter hook input priority 0; policy accept;
                    udp dport %d numgen random mod 100 < %d counter drop
                  }
                }
                """.formatted(port, percent);
        nft(host, rules);
    }

    /** Loads an nftables ruleset ({@code nft -f -}) in {@code host}'s namespace; fails the test if nft refuses it. */
    void nft(String host, String rules) {
        List<String> cmd = List.of("ip", "netns", "exec", ns(host), "nft", "-f", "-");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().write(rules.getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError("nft failed in " + ns(host) + ": " + out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run nft: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Datagrams the {@link #dropUdpIn} rule has dropped so far in {@code host}, 0 without a rule. */
    long droppedUdpIn(String host) {
        Shell.Result r = exec(host, LIMIT, "nft", "list", "table", "inet", "ipoploss");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.output());
        return r.ok() && m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Removes the {@link #dropUdpIn} rule, if any. */
    void clearDrops(String host) {
        exec(host, LIMIT, "nft", "delete", "table", "inet", "ipoploss");
        ip("-n", hub, "link", "set", prefix + host + "1", "gso_max_segs", "65535");
    }

    /** The kernel's UDP counters in {@code host}'s namespace ({@code /proc/net/snmp}), e.g. {@code RcvbufErrors}. */
    Map<String, Long> udpStats(String host) {
        return snmp(host, "Udp");
    }

    /** The kernel's counters of {@code protocol} ({@code Tcp}, {@code Udp}, ...) in {@code host}'s namespace ({@code /proc/net/snmp}). */
    Map<String, Long> snmp(String host, String protocol) {
        String tag = protocol + ": ";
        List<String> lines = exec(host, LIMIT, "cat", "/proc/net/snmp").output().lines()
                .filter(l -> l.startsWith(tag)).toList();
        Map<String, Long> stats = new LinkedHashMap<>();
        if (lines.size() >= 2) {
            String[] names = lines.get(0).substring(tag.length()).trim().split("\\s+");
            String[] values = lines.get(1).substring(tag.length()).trim().split("\\s+");
            for (int i = 0; i < Math.min(names.length, values.length); i++) {
                stats.put(names[i], Long.parseLong(values[i]));
            }
        }
        return stats;
    }

    private void add(String ns) {
        Shell.check(LIMIT, "ip", "netns", "add", ns);
        created.add(ns);
    }

    private static void ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Shell.check(LIMIT, cmd);
    }

    @Override
    public void close() {
        for (String ns : created) {
            Shell.run(LIMIT, "ip", "netns", "del", ns);
        }
        created.clear();
    }

    /**
     * Stops every node (by its own PID), then removes the namespaces of {@code topology} (which may be
     * null if set-up failed before it existed), even if stopping a node failed.
     */
    static void tearDown(Iterable<NodeProcess> nodes, Topology topology) throws InterruptedException {
        try {
            for (NodeProcess n : nodes) {
                n.close();
            }
        } finally {
            if (topology != null) {
                topology.close();
            }
        }
    }
}
