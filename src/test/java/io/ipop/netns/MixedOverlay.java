package io.ipop.netns;

import io.ipop.frame.OverlayAddress;
import io.ipop.secure.AddressGrants;
import io.ipop.secure.NodeIdentity;
import io.ipop.secure.NodeIdentityLoader;
import io.ipop.secure.OverlayCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The overlay the reliability tests run on: three real nodes in namespaces with certificates from one
 * overlay CA, a and b in group blue (their link is DTLS-secured), c in red (plaintext links to both),
 * plus optional hosts without a node (an attacker). Underlay 192.0.2.0/24, overlay 10.77.0.0/24. Also
 * runs bounded TCP transfers ({@link TcpTransfer}) between the nodes' overlay addresses.
 * {@link #close} stops every process it started by PID and removes the namespaces.
 */
final class MixedOverlay implements AutoCloseable {
    static final Duration DEAD_AFTER = Duration.ofSeconds(3);
    private static final Map<String, String> GROUPS = Map.of("a", "blue", "b", "blue", "c", "red");
    private static final Map<String, Integer> HOSTS = Map.of("a", 1, "b", 2, "c", 3);
    private static final AtomicInteger PORTS = new AtomicInteger(5201);

    final Topology topology = new Topology();
    final Path dir;
    final Path pki;
    final Path foreignPki;
    private final String testName;
    private final List<String> nodeJvmOptions;
    private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
    private final Map<String, String> extraConfig = new LinkedHashMap<>();
    private final List<Process> tools = new ArrayList<>();

    /** Makes the PKI (and a foreign CA with an impostor "b") and the namespaces; starts no node yet. */
    MixedOverlay(String testName, Map<String, Integer> extraHosts) throws Exception {
        this(testName, extraHosts, List.of());
    }

    /** Like {@link #MixedOverlay(String, Map)}, the nodes' JVMs started with extra options. */
    MixedOverlay(String testName, Map<String, Integer> extraHosts, List<String> nodeJvmOptions) throws Exception {
        this.testName = testName;
        this.nodeJvmOptions = List.copyOf(nodeJvmOptions);
        this.dir = NodeProcess.logDir(testName);
        this.pki = dir.resolve("pki");
        this.foreignPki = dir.resolve("foreign-pki");
        OverlayCa.init(pki, true);
        for (String h : List.of("a", "b", "c")) {
            OverlayCa.sign(pki, h, address(h), List.of(GROUPS.get(h)), Duration.ofDays(1), true);
        }
        OverlayCa.init(foreignPki, true);
        OverlayCa.sign(foreignPki, "b", address("b"), List.of("blue"), Duration.ofDays(1), true);
        for (String h : List.of("a", "b", "c")) {
            topology.host(h, HOSTS.get(h));
        }
        extraHosts.forEach(topology::host);
    }

    /** {@code hocon} is appended to {@code host}'s config (later keys win), for the nodes started from now on. */
    MixedOverlay configure(String host, String hocon) {
        extraConfig.put(host, hocon);
        return this;
    }

    /** Starts the three nodes on port 5800 and waits until every link is up. */
    MixedOverlay startAll() throws IOException {
        for (String h : List.of("a", "b", "c")) {
            start(h, 5800);
        }
        for (NodeProcess n : nodes.values()) {
            n.await(Duration.ofSeconds(60), "/ready", NodeProcess::ready);
        }
        awaitAllUp(Duration.ofSeconds(30));
        return this;
    }

    NodeProcess start(String host, int port) throws IOException {
        return start(host, port, "");
    }

    /** Starts {@code host}'s node with {@code extra} HOCON appended to its config (e.g. an {@code ipop.firewall}). */
    NodeProcess start(String host, int port, String extra) throws IOException {
        NodeProcess n = NodeProcess.start(topology, host, config(host, port) + extra, testName, nodeJvmOptions);
        nodes.put(host, n);
        return n;
    }

    /** Issues {@code host} a new certificate (same name, address and group) that also grants {@code grants}; before it starts. */
    void grant(String host, AddressGrants grants) throws Exception {
        OverlayCa.sign(pki, host, address(host), List.of(GROUPS.get(host)), grants, Duration.ofDays(1), true);
    }

    /** The file a node's config is written to, for a reload test to rewrite. */
    Path configFile(String host) {
        return dir.resolve(host + ".conf");
    }

    NodeProcess node(String host) {
        return nodes.get(host);
    }

    void awaitAllUp(Duration limit) {
        for (String h : nodes.keySet()) {
            for (String p : nodes.keySet()) {
                if (!p.equals(h)) {
                    nodes.get(h).await(limit, "link to " + p + " up", x -> "up".equals(x.linkState(p)));
                }
            }
        }
    }

    static String overlayIp(String host) {
        return "10.77.0." + HOSTS.get(host);
    }

    static String underlayIp(String host) {
        return "192.0.2." + HOSTS.get(host);
    }

    NodeIdentity identity(Path pkiDir, String host) throws Exception {
        return NodeIdentityLoader.load(pkiDir.resolve("ca.crt"), pkiDir.resolve(host + ".crt"), pkiDir.resolve(host + ".key"));
    }

    /** Both ends' results of one transfer. */
    record Outcome(TcpTransfer.Result sent, TcpTransfer.Result received) {
        boolean intact() {
            return sent.bytes() == received.bytes() && sent.sha256().equals(received.sha256());
        }
    }

    /** A transfer running in the background; {@link #await} collects it. */
    final class Running {
        private final Process receiver;
        private final Process sender;
        private final Path receiverOut;
        private final Path senderOut;
        private final Duration limit;

        private Running(Process receiver, Process sender, Path receiverOut, Path senderOut, Duration limit) {
            this.receiver = receiver;
            this.sender = sender;
            this.receiverOut = receiverOut;
            this.senderOut = senderOut;
            this.limit = limit;
        }

        /** Stops both ends (by PID) without a result. */
        void stop() throws InterruptedException {
            for (Process p : List.of(sender, receiver)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }

        Outcome await() throws IOException, InterruptedException {
            boolean sent = sender.waitFor(limit.toSeconds() + 15, TimeUnit.SECONDS);
            boolean received = receiver.waitFor(15, TimeUnit.SECONDS);
            String s = Files.readString(senderOut);
            String r = Files.readString(receiverOut);
            if (!sent || !received) {
                sender.destroyForcibly();
                receiver.destroyForcibly();
                throw new AssertionError("transfer did not finish in time\nsender: " + s + "\nreceiver: " + r);
            }
            if (sender.exitValue() != 0 || receiver.exitValue() != 0) {
                throw new AssertionError("transfer failed\nsender (" + sender.exitValue() + "): " + s
                        + "\nreceiver (" + receiver.exitValue() + "): " + r);
            }
            return new Outcome(TcpTransfer.Result.parse(s), TcpTransfer.Result.parse(r));
        }
    }

    /** A transfer of {@code bytes} from {@code from} to {@code to} over the overlay, waited for. */
    Outcome transfer(String from, String to, long bytes, Duration limit) throws IOException, InterruptedException {
        return startTransfer(from, to, bytes, limit, null).await();
    }

    /** Starts a transfer; with {@code stopFile} the sender stops once that file exists. */
    Running startTransfer(String from, String to, long bytes, Duration limit, Path stopFile) throws IOException, InterruptedException {
        int port = PORTS.getAndIncrement();
        String tag = from + "-" + to + "-" + port;
        Path receiverOut = dir.resolve("recv-" + tag + ".out");
        Path senderOut = dir.resolve("send-" + tag + ".out");
        Process receiver = spawn(to, receiverOut, Topology.testJava("64m", TcpTransfer.class.getName(), "recv",
                overlayIp(to), Integer.toString(port), Long.toString(limit.toSeconds() + 10)));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.readString(receiverOut).contains("listening")) {
            if (!receiver.isAlive() || System.nanoTime() > deadline) {
                receiver.destroyForcibly();
                throw new AssertionError("receiver did not start: " + Files.readString(receiverOut));
            }
            Thread.sleep(50);
        }
        List<String> args = new ArrayList<>(List.of("send", overlayIp(to), Integer.toString(port), Long.toString(bytes),
                Long.toString(port), Long.toString(limit.toSeconds())));
        if (stopFile != null) {
            args.add(stopFile.toString());
        }
        Process sender = spawn(from, senderOut, Topology.testJava("64m", TcpTransfer.class.getName(), args.toArray(String[]::new)));
        return new Running(receiver, sender, receiverOut, senderOut, limit);
    }

    /**
     * The attacker {@code from} (a host without a node) sends each datagram once to {@code to}'s port 5800, from
     * one source port of its own ({@link Flooder}), and waits until they are sent.
     */
    void sendFrom(String from, List<byte[]> datagrams, String to) throws IOException {
        Path corpus = dir.resolve(from + "-to-" + to + "-" + System.nanoTime() + ".corpus");
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(Files.newOutputStream(corpus))) {
            for (byte[] d : datagrams) {
                out.writeInt(d.length);
                out.write(d);
            }
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", topology.ns(from)));
        cmd.addAll(Topology.testJava("64m", Flooder.class.getName(), corpus.toString(), underlayIp(to), "5800",
                "1", "1", "0", "10"));
        Shell.Result r = Shell.run(Duration.ofSeconds(30), cmd);
        if (r.exit() != 0) {
            throw new AssertionError("sending from " + from + " failed: " + r.output());
        }
    }

    /** Three pings over the overlay from {@code from} to {@code to}; fails the test if one is lost. */
    void ping(String from, String to) {
        Shell.Result r = topology.exec(from, Duration.ofSeconds(15), "ping", "-c", "3", "-i", "0.2", "-W", "2", overlayIp(to));
        if (r.exit() != 0) {
            throw new AssertionError("ping " + from + " -> " + to + "\n" + r.output());
        }
    }

    /** A background tool process in {@code host}'s namespace; stopped by PID in {@link #close} if still running. */
    Process spawn(String host, Path output, List<String> cmd) {
        Process p = topology.spawn(host, output, cmd);
        tools.add(p);
        return p;
    }

    @Override
    public void close() throws Exception {
        try {
            for (Process p : tools) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            Topology.tearDown(nodes.values(), topology);
        }
    }

    private static OverlayAddress address(String host) {
        return OverlayAddress.parse(overlayIp(host) + "/24", true);
    }

    String config(String host, int port) {
        StringBuilder peers = new StringBuilder();
        for (String p : List.of("a", "b", "c")) {
            if (!p.equals(host)) {
                peers.append("{ name = \"").append(p).append("\", endpoint = \"").append(underlayIp(p)).append(":5800\" }\n");
            }
        }
        Path abs = pki.toAbsolutePath();
        // rekey-after 1h: the hostile tests count every DTLS record and failed handshake exactly, so no rekey
        // (RekeyNetnsIT tests those) runs during them
        return """
                ipop {
                  node.name = "%s"
                  tap { name = "ipop0", address = "%s/24", mtu = 1400 }
                  underlay { bind = "0.0.0.0", port = %d }
                  peers = [ %s ]
                  groups = [ "%s" ]
                  security { mode = by-group, ca = "%s", cert = "%s", key = "%s", rekey-after = 1h }
                  link { keepalive-interval = 500ms, dead-after = %dms, retry-min = 250ms, retry-max = 2s }
                }
                """.formatted(host, overlayIp(host), port, peers, GROUPS.get(host), abs.resolve("ca.crt"),
                abs.resolve(host + ".crt"), abs.resolve(host + ".key"), DEAD_AFTER.toMillis())
                + extraConfig.getOrDefault(host, "");
    }
}
