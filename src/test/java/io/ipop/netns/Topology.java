package io.ipop.netns;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

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
        String ns = ns(name);
        add(ns);
        String outer = prefix + name + "0";
        String inner = prefix + name + "1";
        ip("link", "add", outer, "type", "veth", "peer", "name", inner);
        ip("link", "set", outer, "netns", ns);
        ip("link", "set", inner, "netns", hub);
        ip("-n", ns, "link", "set", outer, "name", "eth0");
        ip("-n", ns, "addr", "add", "192.0.2." + host + "/24", "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", hub, "link", "set", inner, "master", "br0", "up");
        underlayIps.put(name, "192.0.2." + host);
        return this;
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
}
