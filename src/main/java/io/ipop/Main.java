package io.ipop;

import com.typesafe.config.ConfigException;
import io.ipop.cli.InitCommand;
import io.ipop.cli.UsageErrors;
import io.ipop.cli.Version;
import io.ipop.management.ManagementServer;
import io.ipop.config.ConfigProblem;
import io.ipop.node.LogFormat;
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
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code ipop-node} command (picocli): with {@code --config FILE} it runs a node (the default command,
 * also {@code ipop-node run}), with {@code --check-config} it only validates; subcommands {@code ca}
 * ({@link CaCommand}), {@code status} ({@link StatusCommand}), {@code init} ({@link InitCommand}). A running node
 * re-reads its config file on SIGHUP.
 *
 * <p>Exit codes: 0 normal stop (SIGTERM/SIGINT), 1 the node could not start or its data plane failed,
 * 2 bad command line or configuration (nothing on the system was touched).
 */
@Command(name = "ipop-node", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        synopsisHeading = "usage: ",
        description = {"IP-over-P2P overlay VPN node: a TAP device inside, UDP peer links outside, DTLS where policy says.",
            "Without a command it runs the node of --config FILE (as `run`)."},
        subcommands = {Main.Run.class, StatusCommand.class, CaCommand.class, InitCommand.class, AutoComplete.GenerateCompletion.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM/SIGINT, or done", "1:the node could not start or its data plane failed",
            "2:bad command line or configuration (nothing on the system was touched)"},
        footerHeading = "%nExamples:%n",
        footer = {"  ipop-node init --name a --ip 10.77.0.1/24 --peer b=198.51.100.2:5800 --groups blue --out a.conf",
            "  ipop-node --config /etc/ipop-node/a.conf --check-config",
            "  sudo ipop-node --config /etc/ipop-node/a.conf            (or: systemctl start ipop-node@a)",
            "  ipop-node status",
            "  ipop-node --version"})
public final class Main implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = UsageErrors.USAGE;

    @Spec
    private CommandSpec spec;
    @Mixin
    private NodeOptions node;

    private Main() {
    }

    /** {@code --config} and {@code --check-config}, on {@code ipop-node} itself and on {@code ipop-node run}. */
    static final class NodeOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "the node's HOCON config file")
        File config;
        @Option(names = "--check-config", description = "validate the config, print a summary and exit (0 valid, 2 not)")
        boolean check;
    }

    /** {@code ipop-node run}: the default command, spelt out. */
    @Command(name = "run", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
            description = "Runs a node: opens the TAP device and the UDP socket, links to the peers, serves the management API."
                    + " Needs CAP_NET_ADMIN. SIGHUP re-reads the config, SIGTERM stops it.",
            footerHeading = "%nExample:%n", footer = "  sudo ipop-node run --config /etc/ipop-node/a.conf")
    static final class Run implements Callable<Integer> {
        @Spec
        private CommandSpec spec;
        @Mixin
        private NodeOptions node;

        @Override
        public Integer call() {
            if (node.config == null) {
                throw new ParameterException(spec.commandLine(), "--config is required");
            }
            return start(node, spec.commandLine());
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        int code = commandLine().setOut(o).setErr(e).execute(args);
        o.flush();
        e.flush();
        return code;
    }

    /** The whole command tree, errors reported by {@link UsageErrors}. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler(new UsageErrors());
        cli.setExpandAtFiles(false);                     // an argument starting with @ is that argument, not a file of them
        cli.setUsageHelpWidth(110);
        return cli;
    }

    @Override
    public Integer call() {
        if (node.config == null) {
            if (!node.check) {
                spec.commandLine().usage(spec.commandLine().getErr());
                return USAGE;
            }
            throw new ParameterException(spec.commandLine(), "--config is required");
        }
        return start(node, spec.commandLine());
    }

    private static int start(NodeOptions options, CommandLine cli) {
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        NodeSettings settings;
        LogFormat format;
        try {
            settings = NodeSettings.load(options.config);
            format = LogFormat.read(settings.config());
        } catch (ConfigProblem | ConfigException e) {
            err.println("ipop-node: config error: " + e.getMessage().replace('\n', ' '));
            return USAGE;
        }
        if (options.check) {
            out.println("config ok: node " + settings.name() + " " + settings.tap().address() + ", "
                    + settings.peers().size() + " peer(s)" + (settings.discovery().cluster()
                    ? ", cluster discovery through " + settings.discovery().seedNodes().size() + " seed(s)" : ""));
            return OK;
        }
        File file = options.config;
        return runNode(settings, format, () -> NodeSettings.load(file), err);
    }

    private static int runNode(NodeSettings settings, LogFormat format, Supplier<NodeSettings> reload, PrintWriter err) {
        format.apply(settings.name());
        LogLevel.apply(settings.logLevel());
        Logger log = LoggerFactory.getLogger(Main.class);
        logClusterTransport(settings, log);
        TapDevice tap;
        try {
            tap = LinuxTap.open(settings.tap().name(), settings.tap().address(), settings.tap().mtu(), settings.tap().mac(),
                    settings.tap().offload(), settings.tap().txQueueLength());
        } catch (TapException e) {
            err.println("ipop-node: " + e.getMessage());
            return FAILED;
        }
        log.info("TAP {} up: {} mtu {} mac {}", tap.name(), settings.tap().address(), tap.mtu(), tap.mac());
        Underlay underlay;
        try {
            UdpUnderlay socket = UdpUnderlay.bind(settings.underlay().bind(), settings.underlay().socketBuffer(),
                    settings.underlay().offload());
            socket.enableBirthday(settings.nat().birthday());
            underlay = socket;
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
        if (!Signals.onHangup(runtime::reload)) {        // the reloader logs what it applied or why it refused
            log.warn("SIGHUP is ignored in this process (it was started with SIGHUP ignored, e.g. under nohup), so it"
                    + " cannot reload the config: use POST /overlay/reload, or start the node without nohup");
        }
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
