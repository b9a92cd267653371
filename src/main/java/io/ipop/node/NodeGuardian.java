package io.ipop.node;

import io.ipop.config.ConfigProblem;
import io.ipop.firewall.Firewall;
import io.ipop.dataplane.Dataplane;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.Forwarding;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.dataplane.OverlayUnderlay;
import io.ipop.dataplane.InboundPath;
import io.ipop.dataplane.OutboundPath;
import io.ipop.dataplane.Warmup;
import io.ipop.discovery.ClusterDiscovery;
import io.ipop.discovery.ClusterMembership;
import io.ipop.discovery.PeerCache;
import io.ipop.discovery.RecordCounters;
import io.ipop.discovery.StaticPeers;
import io.ipop.nat.InboundGate;
import io.ipop.nat.LocalCandidates;
import io.ipop.nat.Nat;
import io.ipop.nat.ReflexiveProbe;
import io.ipop.nat.RelayServer;
import io.ipop.nat.RendezvousSignaling;
import io.ipop.nat.SignalCounters;
import io.ipop.nat.StunClient;
import io.ipop.nat.StunService;
import io.ipop.peer.Birthday;
import io.ipop.peer.ControlBudget;
import io.ipop.peer.ControlChannel;
import io.ipop.peer.DirectoryControlSink;
import io.ipop.peer.HelloCheck;
import io.ipop.peer.Hellos;
import io.ipop.peer.LinkContext;
import io.ipop.peer.PeerSettings;
import io.ipop.peer.SecurityPolicy;
import io.ipop.peer.SecuritySettings;
import io.ipop.secure.DtlsHandshake;
import io.ipop.secure.NonceCache;
import io.ipop.peer.Links;
import io.ipop.peer.MemberGate;
import io.ipop.peer.LocalNode;
import io.ipop.peer.OnDemandOverlay;
import io.ipop.peer.OverlayUpkeep;
import io.ipop.peer.OverlayMembers;
import io.ipop.peer.PeerDirectory;
import io.ipop.route.RouteTable;
import io.ipop.tap.TapDevice;
import io.ipop.topology.Topology;
import io.ipop.underlay.Underlay;
import io.ipop.wire.ControlCodec;
import io.ipop.wire.PeerId;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
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
    /**
     * Hello nonces remembered per peer name, and in all (secure.NonceCache). Constants: they bound memory against
     * replays within {@code hello-max-age}; {@code hello-max-age} is the operator's knob, these only cap the cost.
     */
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
    public static Behavior<Void> create(NodeSettings settings, LocalNode self, TapDevice tap, Underlay socket,
                                        Supplier<NodeSettings> configSource) {
        return Behaviors.setup(ctx -> {
            Shared shared = new Shared(settings, self, socket);
            Underlay underlay = shared.underlay;            // overlay paths' datagrams leave wrapped in FORWARD
            SecuritySettings security = settings.security();
            ActorRef<SecurityPolicy.Command> policy = ctx.spawn(SecurityPolicy.create(security, settings.groups()), "security-policy");
            ExecutorService dtlsExecutor = DtlsHandshake.executor(settings.link().maxHandshakes());
            StunService stun = new StunService(new StunClient(settings.nat().stunServers()), shared.channel::sendRaw,
                    shared.counters, settings.nat().stunAnswerRate(), System::nanoTime, Clock.systemUTC());
            RendezvousSignaling signaling = new RendezvousSignaling(self.name(), settings.nat().rendezvous(), shared.links,
                    shared.channel, shared.counters, new SignalCounters(), System::nanoTime);
            LinkContext linkContext = linkContext(settings, self, tap, underlay, shared, stun, policy, dtlsExecutor, signaling);
            PeerDirectory.Overlay overlay = new PeerDirectory.Overlay(new OverlayMembers(), shared.forwarding.paths());
            ActorRef<PeerDirectory.Command> directory = ctx.spawn(PeerDirectory.create(linkContext, shared.links,
                    shared.routes::set, new Topology(settings.topology()), shared.members, overlay), "peers");
            ctx.spawn(OverlayUpkeep.create(shared.links, overlay.members(), settings.nat().directTimeout(),
                    settings.topology().onDemand(), directory), "overlay-upkeep");
            Nat nat = Nat.start(ctx, settings.nat(), self.name(), settings.peers().stream().map(PeerSettings::id).toList(),
                    settings.underlay().bind().getAddress(), new Nat.Ports(shared.links, shared.channel, directory, stun,
                            signaling, helloCheck(self, settings.security()), shared.counters));
            Dataplane dataplane = startDataplane(ctx.getSystem(), settings, self, tap, underlay, shared, directory, nat.inbound(),
                    stun, overlay.members());
            addShutdownTasks(ctx.getSystem(), directory, dtlsExecutor, nat.relay(), tap, underlay, dataplane);
            ClusterParts cluster = startDiscovery(ctx, settings, self, directory);
            if (cluster == null) {
                return Behaviors.empty();                   // the cluster port could not be bound: shutting down
            }
            ctx.spawn(ReflexiveProbe.create(stun.client(), settings.nat().stunInterval(), shared.channel::sendRaw), "stun-probe");
            ActorRef<ConfigReloader.Command> reloader = ctx.spawn(
                    ConfigReloader.create(configSource, settings, linkContext, directory, shared.firewall::set), "config-reloader");
            NodeRuntime.get(ctx.getSystem()).started(new NodeRuntime.State(self, settings, shared.links, shared.counters,
                    nat, shared.routes::get, shared.firewall::get, cluster.records(), cluster.membership(),
                    shared.forwarding.paths()), reloader);
            logStarted(ctx, settings, self, tap, underlay);
            return Behaviors.empty();
        });
    }

    /** What the control plane and the data plane share: the counters, the up links and the published tables. */
    private static final class Shared {
        final ControlCodec codec = new ControlCodec();
        final DataplaneCounters counters = new DataplaneCounters();
        final Links links = new Links();
        /** The members the peer directory knows (cluster and static peers), read by the {@link MemberGate}. */
        final Set<PeerId> members = ConcurrentHashMap.newKeySet();
        final AtomicReference<RouteTable> routes = new AtomicReference<>(RouteTable.EMPTY);
        final AtomicReference<Firewall> firewall;
        final ControlChannel channel;
        /** Multi-hop forwarding over the socket, and the socket as senders see it (overlay paths wrapped). */
        final Forwarding forwarding;
        final Underlay underlay;

        Shared(NodeSettings settings, LocalNode self, Underlay socket) {
            firewall = new AtomicReference<>(settings.firewall().build());
            forwarding = new Forwarding(PeerId.of(self.name()), routes::get, new OverlayPaths(), socket, counters);
            underlay = new OverlayUnderlay(socket, forwarding, counters);
            channel = new ControlChannel(underlay, codec);
        }
    }

    private static LinkContext linkContext(NodeSettings settings, LocalNode self, TapDevice tap, Underlay underlay, Shared shared,
                                           StunService stun, ActorRef<SecurityPolicy.Command> policy,
                                           ExecutorService dtlsExecutor, RendezvousSignaling signaling) {
        SecuritySettings security = settings.security();
        Hellos hellos = new Hellos(self, security.identity(), new LocalCandidates(settings.underlay().bind().getAddress(),
                underlay.localEndpoint().address().getPort(), tap.name(), stun.client()));
        return new LinkContext(self, settings.link(), security, security.identity(), shared.channel, hellos,
                helloCheck(self, security), policy, shared.counters, dtlsExecutor, signaling,
                new Birthday(settings.nat().birthday(), stun.client()::symmetric));
    }

    /** A hello check with its own replay cache (the session and the inbound gate each keep one). */
    private static HelloCheck helloCheck(LocalNode self, SecuritySettings security) {
        return new HelloCheck(self, security.identity(), security.identity().isPresent(), security.helloMaxAge(),
                new NonceCache(security.helloMaxAge().multipliedBy(2), NONCES_PER_NODE, NONCES_REMEMBERED),
                Clock.systemUTC()).withRevocations(security.revoked());
    }

    private static Dataplane startDataplane(ActorSystem<Void> system, NodeSettings settings, LocalNode self, TapDevice tap,
                                            Underlay underlay, Shared shared, ActorRef<PeerDirectory.Command> directory,
                                            InboundGate gate, StunService stun, OverlayMembers members) {
        InboundPath inbound = new InboundPath(shared.routes::get, shared.firewall::get, self.mac(), shared.codec,
                new DirectoryControlSink(shared.links, directory, new ControlBudget(), shared.counters, System::nanoTime,
                        new MemberGate(PeerId.of(self.name()), shared.members, helloCheck(self, settings.security()), directory,
                                shared.counters, System::nanoTime, gate), members),
                shared.counters, System::nanoTime, stun, shared.forwarding);
        OnDemandOverlay demand = new OnDemandOverlay(members, shared.routes::get,
                peer -> directory.tell(new PeerDirectory.OpenOverlay(peer, null, null)), System::nanoTime);
        OutboundPath outbound = new OutboundPath(shared.routes::get, shared.firewall::get, shared.counters, System::nanoTime,
                demand);
        Warmup.startInBackground(settings.dataplane(), tap.mac(), tap.mtu());
        return Dataplane.start(system, settings.dataplane(), tap, underlay, inbound, outbound, shared.counters);
    }

    /** Peers are told {@code close} first, then the TAP and socket are closed; a failed graph shuts the node down. */
    private static void addShutdownTasks(ActorSystem<Void> system, ActorRef<PeerDirectory.Command> directory,
                                         ExecutorService dtlsExecutor, Optional<RelayServer> relay, TapDevice tap,
                                         Underlay underlay, Dataplane dataplane) {
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
    }

    /** Cluster discovery's parts the management API shows (both empty without it). */
    private record ClusterParts(Optional<RecordCounters> records, Optional<ClusterMembership> membership) {
    }

    /**
     * Static peers are announced at once; cluster discovery runs in an ActorSystem of its own
     * ({@link ClusterMembership}). Null if that cannot start (its port is taken): the node shuts down, exit 1.
     */
    private static ClusterParts startDiscovery(ActorContext<Void> ctx, NodeSettings settings, LocalNode self,
                                               ActorRef<PeerDirectory.Command> directory) {
        if (settings.discovery().staticPeers()) {
            StaticPeers.announce(settings.peers(), directory);
        }
        if (!settings.discovery().cluster()) {
            return new ClusterParts(Optional.empty(), Optional.empty());
        }
        RecordCounters records = new RecordCounters();
        Optional<PeerCache> cache = settings.discovery().peerCache().map(file ->
                new PeerCache(file, self.name(), settings.discovery().maxClusterPeers(), settings.discovery().peerCacheMaxAge(),
                        Clock.systemUTC(), records));
        cache.ifPresent(c -> c.load(directory::tell));            // links to them start now, while the cluster part starts
        try {
            ClusterMembership membership = ClusterMembership.start(ctx.getSystem(),
                    settings.discovery().clusterSystemConfig(settings.config()),
                    downed -> ClusterDiscovery.create(self, settings.discovery(), settings.security().identity(), directory,
                            records, downed, cache));
            return new ClusterParts(Optional.of(records), Optional.of(membership));
        } catch (RuntimeException e) {
            CoordinatedShutdown.get(ctx.getSystem()).run(new ClusterFailed(e.getMessage()));
            return null;
        }
    }

    private static void logStarted(ActorContext<Void> ctx, NodeSettings settings, LocalNode self, TapDevice tap, Underlay underlay) {
        SecuritySettings security = settings.security();
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
    }

    /** Shutdown reason when the cluster system could not start (e.g. its port is taken). */
    public record ClusterFailed(String message) implements CoordinatedShutdown.Reason {
    }

    /** Shutdown reason when a data-plane graph failed. */
    public static final class DataplaneFailed implements CoordinatedShutdown.Reason {
    }
}
