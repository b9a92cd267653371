package io.ipop.node;

import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.firewall.Firewall;
import io.ipop.discovery.ClusterMembership;
import io.ipop.discovery.RecordCounters;
import io.ipop.nat.Nat;
import io.ipop.peer.Links;
import io.ipop.peer.LocalNode;
import io.ipop.route.RouteTable;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * What a running node exposes to the management API, attached to its ActorSystem. Filled in by
 * {@link NodeGuardian} once the data plane runs; until then {@link #state()} is {@code null} and the
 * node is not ready. A reload replaces the state (new settings, new groups).
 */
public final class NodeRuntime implements Extension {

    /**
     * The node's live state, all thread-safe to read; {@code nat}: NAT traversal (STUN, relayed paths,
     * relay); {@code routes}: the route table the data plane reads — a link is in it one message to the
     * peer directory after its session shows it up; {@code clusterRecords}: what cluster discovery did with the
     * peer records, {@code cluster}: the cluster part (both empty without cluster discovery).
     */
    public record State(LocalNode node, NodeSettings settings, Links links, DataplaneCounters counters, Nat nat,
                        Supplier<RouteTable> routes, Supplier<Firewall> firewall, Optional<RecordCounters> clusterRecords,
                        Optional<ClusterMembership> cluster, OverlayPaths overlay) {
    }

    /** Reloads (SIGHUP or {@code POST /overlay/reload}) since the node started, by outcome. */
    public record Reloads(long applied, long refused) {
    }

    private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(30);

    private static final ExtensionId<NodeRuntime> ID = new ExtensionId<>() {
        @Override
        public NodeRuntime createExtension(ActorSystem<?> system) {
            return new NodeRuntime(system);
        }
    };

    private final ActorSystem<?> system;
    private volatile State state;
    private volatile ActorRef<ConfigReloader.Command> reloader;
    private final LongAdder reloadsApplied = new LongAdder();
    private final LongAdder reloadsRefused = new LongAdder();

    private NodeRuntime(ActorSystem<?> system) {
        this.system = system;
    }

    public static NodeRuntime get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    void started(State s, ActorRef<ConfigReloader.Command> configReloader) {
        this.reloader = configReloader;
        this.state = s;
    }

    void reloaded(LocalNode node, NodeSettings settings) {
        State s = state;
        this.state = new State(node, settings, s.links(), s.counters(), s.nat(), s.routes(), s.firewall(), s.clusterRecords(),
                s.cluster(), s.overlay());
    }

    /** The running node, or {@code null} while it starts. */
    public State state() {
        return state;
    }

    /**
     * Re-reads the config file and applies it (see {@link ConfigReloader}); never fails, the result says why.
     * Every outcome is counted ({@link #reloads()}).
     */
    public CompletionStage<ReloadResult> reload() {
        ActorRef<ConfigReloader.Command> r = reloader;
        CompletionStage<ReloadResult> result = r == null
                ? CompletableFuture.completedFuture(ReloadResult.refused("node is starting"))
                : AskPattern.<ConfigReloader.Command, ReloadResult>ask(r, ConfigReloader.Reload::new, RELOAD_TIMEOUT,
                                system.scheduler())
                        .exceptionally(e -> ReloadResult.refused("reload did not finish within " + RELOAD_TIMEOUT.toSeconds() + " s"));
        return result.thenApply(done -> {
            (done.applied() ? reloadsApplied : reloadsRefused).increment();
            return done;
        });
    }

    public Reloads reloads() {
        return new Reloads(reloadsApplied.sum(), reloadsRefused.sum());
    }
}
