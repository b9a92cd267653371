package io.ipop.node;

import io.ipop.firewall.Firewall;
import io.ipop.dataplane.Dataplane;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.InboundPath;
import io.ipop.dataplane.OutboundPath;
import io.ipop.discovery.ClusterDiscovery;
import io.ipop.discovery.ClusterMembership;
import io.ipop.discovery.RecordCounters;
import io.ipop.discovery.StaticPeers;
import io.ipop.nat.InboundGate;
import io.ipop.nat.LocalCandidates;
import io.ipop.nat.Nat;
import io.ipop.nat.NatAgent;
import io.ipop.nat.ReflexiveProbe;
import io.ipop.nat.RelayPaths;
import io.ipop.nat.RelayServer;
import io.ipop.nat.RendezvousSignaling;
import io.ipop.nat.SignalCounters;
import io.ipop.nat.StunClient;
import io.ipop.nat.StunService;
import io.ipop.peer.ControlBudget;
import io.ipop.peer.ControlChannel;
import io.ipop.peer.DirectoryControlSink;
import io.ipop.peer.HelloCheck;
import io.ipop.peer.Hellos;
import io.ipop.peer.LinkContext;
import io.ipop.peer.SecurityPolicy;
import io.ipop.secure.NonceCache;
import io.ipop.peer.Links;
import io.ipop.peer.LocalNode;
import io.ipop.peer.PeerDirectory;
import io.ipop.route.RouteTable;
import io.ipop.tap.TapDevice;
import io.ipop.underlay.Underlay;
import io.ipop.wire.ControlCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The root actor of a node: wires the control plane (the peer directory) to the data plane (the two
 * stream graphs) over the opened TAP device and socket, and ties their lifecycle to the ActorSystem.
 *
 * <p>Live reload: a {@link ConfigReloader} re-reads the config on request and hands the peer directory
 * what changed; nothing of the data plane is rebuilt.
 *
 * <p>Shutdown (coordinated): peers are told {@code close} first, then the TAP and socket are closed,
 * which ends both stream graphs. If a graph fails on its own, the node shuts down with exit code 1.
 */
public final class NodeGuardian {
    /** Exit code for a node that stopped because its data plane failed. */
    public static final int DATAPLANE_FAILED = 1;
    private static final int MAX_HANDSHAKES = 32;
    /** Hello nonces remembered per peer name, and in all (secure.NonceCache). */
    private static final int NONCES_PER_NODE = 1024;
    private static final int NONCES_REMEMBERED = 65_536;

    private NodeGuardian() {
    }

    /** A node without a config file to re-read: a reload is refused. */
    public static Behavior<Void> create(NodeSettings settings, LocalNode self, TapDevice tap, Underlay underlay) {
        return create(settings, self, tap, underlay, () -> {
            throw new ConfigProblem("--config", "this node was started without a config file to re-read");
        });
    }

    /**
     * @param configSource re-reads and validates the node's config on a reload ({@link ConfigReloader})
     */
    public static Behavior<Void> create(NodeSettings settings, LocalNode self, TapDevice tap, Underlay underlay,
                                        Supplier<NodeSettings> configSource) {
        return Behaviors.setup(ctx -> {
            ActorSystem<Void> system = ctx.getSystem();
            ControlCodec codec = new ControlCodec();
            DataplaneCounters counters = new DataplaneCounters();
            Links links = new Links();
            AtomicReference<RouteTable> routes = new AtomicReference<>(RouteTable.EMPTY);
            AtomicReference<Firewall> firewall = new AtomicReference<>(settings.firewall().build());

            SecuritySettings security = settings.security();
            ActorRef<SecurityPolicy.Command> policy = ctx.spawn(SecurityPolicy.create(security, settings.groups()), "security-policy");
            HelloCheck check = new HelloCheck(self, security.identity(), security.identity().isPresent(),
                    security.helloMaxAge(), new NonceCache(security.helloMaxAge().multipliedBy(2), NONCES_PER_NODE, NONCES_REMEMBERED),
                    Clock.systemUTC()).withRevocations(security.revoked());
            ExecutorService dtlsExecutor = dtlsExecutor();
            ControlChannel channel = new ControlChannel(underlay, codec);
            StunService stun = new StunService(new StunClient(settings.nat().stunServers()), channel::sendRaw, counters,
                    settings.nat().stunAnswerRate(), System::nanoTime, Clock.systemUTC());
            NatSettings natSettings = settings.nat();
            RendezvousSignaling signaling = new RendezvousSignaling(self.name(), natSettings.rendezvous(), links, channel,
                    counters, new SignalCounters(), System::nanoTime);
            LinkContext linkContext = new LinkContext(self, settings.link(), security, security.identity(),
                    channel, new Hellos(self, security.identity(), new LocalCandidates(settings.underlay().bind().getAddress(),
                    underlay.localEndpoint().address().getPort(), tap.name(), stun.client())), check, policy, counters,
                    dtlsExecutor, signaling);
            ActorRef<PeerDirectory.Command> directory = ctx.spawn(
                    PeerDirectory.create(linkContext, links, routes::set), "peers");
            Optional<RelayServer> relay = natSettings.relay()
                    ? Optional.of(new RelayServer(settings.underlay().bind().getAddress(), natSettings.relayMax()))
                    : Optional.empty();
            RelayPaths relayPaths = new RelayPaths();
            // a bug in the agent must not end NAT traversal: restart it (it relearns from the next announcements)
            ActorRef<NatAgent.Command> natAgent = ctx.spawn(Behaviors.supervise(NatAgent.create(self.name(), natSettings,
                    settings.peers().stream().map(PeerSettings::name).toList(), links, channel, directory, relay,
                    relayPaths, signaling)).onFailure(SupervisorStrategy.restart()), "nat");
            // admission has its own replay cache: the session checks the same hello again with the node's
            InboundGate gate = new InboundGate(self.name(), natSettings.acceptInbound(), natSettings.maxInbound(),
                    new HelloCheck(self, security.identity(), security.identity().isPresent(),
                            security.helloMaxAge(), new NonceCache(security.helloMaxAge().multipliedBy(2), NONCES_PER_NODE, NONCES_REMEMBERED),
                            Clock.systemUTC()).withRevocations(security.revoked()),
                    links, directory, natAgent::tell, counters, System::nanoTime);
            InboundPath inbound = new InboundPath(routes::get, firewall::get, self.mac(), codec,
                    new DirectoryControlSink(links, directory, new ControlBudget(), counters, System::nanoTime, gate),
                    counters, System::nanoTime, stun);
            OutboundPath outbound = new OutboundPath(routes::get, firewall::get, counters, System::nanoTime);
            Dataplane dataplane = Dataplane.start(system, settings.dataplane(), tap, underlay, inbound, outbound, counters);

            CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
            shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "close-links", () ->
                    AskPattern.<PeerDirectory.Command, Done>ask(directory, PeerDirectory.Shutdown::new,
                            Duration.ofSeconds(2), system.scheduler()).exceptionally(e -> Done.getInstance()));
            shutdown.addTask(CoordinatedShutdown.PhaseServiceStop(), "close-tap-and-socket", () -> {
                dtlsExecutor.shutdownNow();
                relay.ifPresent(RelayServer::close);
                tap.close();
                underlay.close();
                return dataplane.done().exceptionally(e -> Done.getInstance());
            });
            dataplane.done().whenComplete((d, failure) -> {
                if (failure != null) {
                    shutdown.run(new DataplaneFailed());
                }
            });

            if (settings.discovery().staticPeers()) {
                StaticPeers.announce(settings.peers(), directory);
            }
            Optional<RecordCounters> clusterRecords = Optional.empty();
            Optional<ClusterMembership> cluster = Optional.empty();
            if (settings.discovery().cluster()) {
                RecordCounters records = new RecordCounters();
                clusterRecords = Optional.of(records);
                try {
                    cluster = Optional.of(ClusterMembership.start(system, settings.discovery().clusterSystemConfig(settings.config()),
                            downed -> ClusterDiscovery.create(self, settings.discovery(), security.identity(), directory, records,
                                    downed)));
                } catch (RuntimeException e) {
                    shutdown.run(new ClusterFailed(e.getMessage()));
                    return Behaviors.empty();
                }
            }
            ctx.spawn(ReflexiveProbe.create(stun.client(), settings.nat().stunInterval(), channel::sendRaw), "stun-probe");
            ActorRef<ConfigReloader.Command> reloader = ctx.spawn(
                    ConfigReloader.create(configSource, settings, linkContext, directory, firewall::set), "config-reloader");
            NodeRuntime.get(system).started(new NodeRuntime.State(self, settings, links, counters,
                    new Nat(stun, relayPaths, relay, gate, signaling.counters()), routes::get, firewall::get,
                    clusterRecords, cluster), reloader);
            ctx.getLog().info("node {} up: tap {} {} mac {} mtu {}, underlay {}, {} static peer(s){}, groups {}, security {}{}",
                    self.name(), tap.name(), self.address(), self.mac(), tap.mtu(), underlay.localEndpoint(),
                    settings.peers().size(), settings.discovery().cluster() ? " + cluster discovery" : "", self.groups(),
                    security.mode().name().toLowerCase().replace('_', '-'),
                    security.identity().isPresent() ? " with certificate" : " without certificate (plaintext links only)");
            if (security.identity().isEmpty()) {
                ctx.getLog().warn("link setup is unauthenticated (no ipop.security certificate): any host that can reach "
                        + "UDP port {} can take over a link in a peer's name; give every node a certificate of one overlay CA "
                        + "(docs/security.md)", underlay.localEndpoint().address().getPort());
            }
            return Behaviors.empty();
        });
    }

    /**
     * Threads for DTLS handshakes (each blocks one for its duration). Bounded: with all busy a new
     * handshake is refused at once and its link retries with backoff, so a flood cannot pile up threads.
     */
    private static ExecutorService dtlsExecutor() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, MAX_HANDSHAKES, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "ipop-dtls-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Shutdown reason when the cluster system could not start (e.g. its port is taken). */
    public record ClusterFailed(String message) implements CoordinatedShutdown.Reason {
    }

    /** Shutdown reason when a data-plane graph failed. */
    public static final class DataplaneFailed implements CoordinatedShutdown.Reason {
    }
}
