package io.ipop;

import com.typesafe.config.ConfigException;
import io.ipop.management.ManagementServer;
import io.ipop.config.ConfigProblem;
import io.ipop.node.LogLevel;
import io.ipop.node.ManagementSettings;
import io.ipop.node.NodeGuardian;
import io.ipop.node.NodeRuntime;
import io.ipop.node.NodeSettings;
import io.ipop.status.StatusCommand;
import io.ipop.peer.LocalNode;
import io.ipop.tap.TapDevice;
import io.ipop.tap.TapException;
import io.ipop.tap.linux.LinuxTap;
import io.ipop.underlay.UdpUnderlay;
import io.ipop.underlay.Underlay;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar ipop-node.jar --config FILE [--check-config]}, or {@code ... ca init|sign ...} (see {@link CaCommand}),
 * or {@code ... status [--url URL] [--token T]} (see {@link StatusCommand}). A running node re-reads its
 * config file on SIGHUP.
 *
 * <p>Exit codes: 0 normal stop (SIGTERM/SIGINT), 1 the node could not start or its data plane failed,
 * 2 bad command line or configuration (nothing on the system was touched).
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    private static final String USAGE_TEXT = "usage: ipop-node --config FILE [--check-config]\n"
            + "       ipop-node ca init --dir DIR [--force]\n"
            + "       ipop-node ca sign --dir DIR --name NAME --ip ADDRESS/PREFIX [--groups G1,G2] [--days N] [--force]\n"
            + "       ipop-node status [--url http://127.0.0.1:8558] [--token TOKEN]";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("ca")) {
            return CaCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (args.length > 0 && args[0].equals("status")) {
            return StatusCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        String config = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("ipop-node: --config needs a file\n" + USAGE_TEXT);
                        return USAGE;
                    }
                    config = args[++i];
                }
                case "--check-config" -> check = true;
                case "--help", "-h" -> {
                    out.println(USAGE_TEXT);
                    return OK;
                }
                default -> {
                    err.println("ipop-node: unknown argument " + args[i] + "\n" + USAGE_TEXT);
                    return USAGE;
                }
            }
        }
        if (config == null) {
            err.println("ipop-node: --config FILE is required\n" + USAGE_TEXT);
            return USAGE;
        }
        NodeSettings settings;
        try {
            settings = NodeSettings.load(new File(config));
        } catch (ConfigProblem | ConfigException e) {
            err.println("ipop-node: config error: " + e.getMessage().replace('\n', ' '));
            return USAGE;
        }
        if (check) {
            out.println("config ok: node " + settings.name() + " " + settings.tap().address() + ", "
                    + settings.peers().size() + " peer(s)" + (settings.discovery().cluster()
                    ? ", cluster discovery through " + settings.discovery().seedNodes().size() + " seed(s)" : ""));
            return OK;
        }
        File file = new File(config);
        return runNode(settings, () -> NodeSettings.load(file), err);
    }

    private static int runNode(NodeSettings settings, Supplier<NodeSettings> reload, PrintStream err) {
        LogLevel.apply(settings.logLevel());
        Logger log = LoggerFactory.getLogger(Main.class);
        logClusterTransport(settings, log);
        TapDevice tap;
        try {
            tap = LinuxTap.open(settings.tap().name(), settings.tap().address(), settings.tap().mtu(), settings.tap().mac(),
                    settings.tap().offload());
        } catch (TapException e) {
            err.println("ipop-node: " + e.getMessage());
            return FAILED;
        }
        log.info("TAP {} up: {} mtu {} mac {}", tap.name(), settings.tap().address(), tap.mtu(), tap.mac());
        Underlay underlay;
        try {
            underlay = UdpUnderlay.bind(settings.underlay().bind(), settings.underlay().socketBuffer(),
                    settings.underlay().offload());
        } catch (IOException e) {
            tap.close();
            err.println("ipop-node: " + e.getMessage());
            return FAILED;
        }
        LocalNode self = new LocalNode(settings.name(), HexFormat.of().formatHex(SecureRandom.getSeed(8)),
                settings.tap().address(), tap.mac(), settings.groups(), underlay.localEndpoint(), Instant.now());
        ActorSystem<Void> system;
        try {
            system = ActorSystem.create(NodeGuardian.create(settings, self, tap, underlay, reload), "ipop", settings.config());
        } catch (RuntimeException e) {
            tap.close();
            underlay.close();
            err.println("ipop-node: cannot start: " + e.getMessage());
            return FAILED;
        }
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        try {
            ManagementServer.start(system, settings.management()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            ManagementSettings m = settings.management();
            log.info("management API at {}://{}:{}/ ({})", m.scheme(), m.hostname(), m.port(),
                    m.requiresToken() ? "bearer token required" : "no token: loopback only");
            if (m.plainOffLoopback()) {
                log.warn("management API on {} is plain HTTP (ipop.management.tls.mode = off): the token and every answer"
                        + " cross the network in clear, anyone on the path can take over the API", m.hostname());
            }
        } catch (Exception e) {
            err.println("ipop-node: cannot start the management API on " + settings.management().hostname() + ":"
                    + settings.management().port() + ": " + rootMessage(e));
            shutdown.run(new ManagementFailed());
        }
        Signals.onTermination(() -> shutdown.run(CoordinatedShutdown.jvmExitReason()));
        NodeRuntime runtime = NodeRuntime.get(system);
        Signals.onHangup(runtime::reload);                // the reloader logs what it applied or why it refused
        system.getWhenTerminated().toCompletableFuture().join();
        Object reason = shutdown.getShutdownReason().orElse(null);
        if (reason instanceof NodeGuardian.ClusterFailed failed) {
            err.println("ipop-node: cannot start the cluster on port " + settings.discovery().clusterPort() + ": "
                    + failed.message());
        }
        int code = reason instanceof NodeGuardian.DataplaneFailed || reason instanceof ManagementFailed
                || reason instanceof NodeGuardian.ClusterFailed ? FAILED : OK;
        log.info("node {} stopped (exit {})", settings.name(), code);
        return code;
    }

    /** Once at start: whether the cluster port is authenticated (docs/discovery.md, "Cluster port security"). */
    private static void logClusterTransport(NodeSettings settings, Logger log) {
        if (!settings.discovery().cluster()) {
            return;
        }
        String transport = settings.config().getString("pekko.remote.artery.transport");
        if (settings.discovery().clusterTls()) {
            log.info("cluster port {}: TLS with this node's certificate, peers must present one of the overlay CA",
                    settings.discovery().clusterPort());
        } else if (!transport.equals("tls-tcp")) {
            boolean unsigned = settings.security().identity().isEmpty();
            log.warn("cluster port {} is unauthenticated and unencrypted (transport {}, {}): anyone who reaches it can"
                    + " join the cluster and read the peer records{}; keep it on a trusted network",
                    settings.discovery().clusterPort(), transport,
                    unsigned ? "no certificate configured" : "ipop.discovery.cluster-tls = off",
                    unsigned ? ", and write or delete any node's record (records are unsigned without a certificate),"
                            + " making nodes link to addresses it chooses" : "");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** Shutdown reason when the management API could not bind. */
    static final class ManagementFailed implements CoordinatedShutdown.Reason {
    }
}
