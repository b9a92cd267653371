package io.ipop.discovery;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's cluster part, in an ActorSystem of its own beside the node's: the cluster port (Artery), the
 * membership and {@link ClusterDiscovery} live there, the TAP, the socket, the links and the management API in
 * the node's system. A Pekko cluster never takes a removed member back: once the Split Brain Resolver (or the
 * others, after a long pause or a network cut) has downed this node, the only way in again is a new incarnation,
 * a new ActorSystem with a new uid. So when the discovery reports this node downed, the cluster system is
 * terminated and a new one joins the seeds again, after 1 s, then backing off up to 30 s while it keeps failing;
 * the node's system, and with it the TAP and the static links, keeps running throughout.
 *
 * <p>SIGTERM (the node system's coordinated shutdown, phase {@value ClusterDiscovery#LEAVE_PHASE}) leaves the
 * cluster first, then terminates the cluster system. Thread-safe: called from the discovery's thread, the node
 * system's scheduler and the management API.
 */
public final class ClusterMembership {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
    private static final Duration REJOIN_MIN = Duration.ofSeconds(1);
    private static final Duration REJOIN_MAX = Duration.ofSeconds(30);
    /** An incarnation that stayed in the cluster this long starts the backoff over when it is downed. */
    private static final Duration STAYED = Duration.ofSeconds(60);
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(4);
    /** How long a downed incarnation may take to stop before the next one is started regardless. */
    private static final Duration TERMINATE_WAIT = Duration.ofSeconds(5);

    private final ActorSystem<?> host;
    private final Config config;
    private final Function<Runnable, Behavior<ClusterDiscovery.Command>> discovery;
    private final LongAdder rejoins = new LongAdder();
    private ActorSystem<ClusterDiscovery.Command> current;
    private long startedNanos;
    private Duration backoff = REJOIN_MIN;
    private boolean stopping;

    private ClusterMembership(ActorSystem<?> host, Config config, Function<Runnable, Behavior<ClusterDiscovery.Command>> discovery) {
        this.host = host;
        this.config = config;
        this.discovery = discovery;
    }

    /**
     * Starts the first incarnation now (so a cluster port that cannot be bound fails the node's start) and
     * registers the leave on {@code host}'s coordinated shutdown.
     *
     * @param config    the cluster system's config (provider {@code cluster}, Artery, seeds)
     * @param discovery the discovery to run in each incarnation, given what to call when this node is downed
     * @throws RuntimeException when the cluster system cannot start (e.g. its port is taken)
     */
    public static ClusterMembership start(ActorSystem<?> host, Config config,
                                          Function<Runnable, Behavior<ClusterDiscovery.Command>> discovery) {
        ClusterMembership m = new ClusterMembership(host, config, discovery);
        synchronized (m) {
            m.current = m.create();
        }
        CoordinatedShutdown.get(host).addTask(ClusterDiscovery.LEAVE_PHASE, "leave-cluster", m::leave);
        return m;
    }

    private ActorSystem<ClusterDiscovery.Command> create() {
        ActorSystem<ClusterDiscovery.Command>[] created = new ActorSystem[1];
        created[0] = ActorSystem.create(discovery.apply(() -> downed(created[0])), "ipop", config);
        startedNanos = System.nanoTime();
        return created[0];
    }

    /** The cluster system running now, if any (none between a downing and the next incarnation, or when stopped). */
    public synchronized Optional<ActorSystem<?>> system() {
        return Optional.ofNullable(current);
    }

    /** This node's member in the cluster running now, if any. */
    public Optional<Member> self() {
        return system().map(s -> Cluster.get(s).selfMember());
    }

    /** New incarnations started after this node was downed. */
    public long rejoins() {
        return rejoins.sum();
    }

    /** Called by the discovery of {@code incarnation} when the cluster downed or removed this node. */
    private synchronized void downed(ActorSystem<ClusterDiscovery.Command> incarnation) {
        if (stopping || incarnation == null || incarnation != current) {
            return;
        }
        if (System.nanoTime() - startedNanos > STAYED.toNanos()) {
            backoff = REJOIN_MIN;
        }
        current = null;
        Duration wait = nextWait();
        LOG.warn("cluster: this node was downed by the cluster; its links to cluster peers go, static links and the TAP"
                + " stay; joining again as a new member in {} ms", wait.toMillis());
        incarnation.terminate();
        // Artery's termination can hang for many minutes when the peers are cut off (its TCP streams wait on
        // writes no one acknowledges), so the next incarnation does not wait for it longer than TERMINATE_WAIT;
        // if the old one still holds the cluster port then, the new one fails to bind and is tried again.
        AtomicBoolean scheduled = new AtomicBoolean();
        Runnable next = () -> {
            if (scheduled.compareAndSet(false, true)) {
                host.scheduler().scheduleOnce(wait, this::rejoin, host.executionContext());
            }
        };
        incarnation.getWhenTerminated().whenComplete((t, e) -> next.run());
        host.scheduler().scheduleOnce(TERMINATE_WAIT, () -> {
            if (!scheduled.get()) {
                LOG.warn("cluster: the downed member has not stopped within {} ms; starting the new one anyway",
                        TERMINATE_WAIT.toMillis());
            }
            next.run();
        }, host.executionContext());
    }

    private synchronized void rejoin() {
        if (stopping || current != null) {
            return;
        }
        try {
            current = create();
            rejoins.increment();
            LOG.info("cluster: started a new member ({}), joining the seeds", Cluster.get(current).selfMember().uniqueAddress());
        } catch (RuntimeException e) {
            Duration wait = nextWait();
            LOG.warn("cluster: cannot start a new member ({}); trying again in {} ms", e.getMessage(), wait.toMillis());
            host.scheduler().scheduleOnce(wait, this::rejoin, host.executionContext());
        }
    }

    /** The wait before the next incarnation; doubles each time, up to {@link #REJOIN_MAX}. */
    private Duration nextWait() {
        Duration wait = backoff;
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(REJOIN_MAX) > 0 ? REJOIN_MAX : doubled;
        return wait;
    }

    /** Leaves the cluster (every member drops this node's links), then stops the cluster system; never fails. */
    public CompletionStage<Done> leave() {
        ActorSystem<ClusterDiscovery.Command> s;
        synchronized (this) {
            stopping = true;
            s = current;
            current = null;
        }
        if (s == null) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        return AskPattern.<ClusterDiscovery.Command, Done>ask(s, ClusterDiscovery.LeaveCluster::new, LEAVE_TIMEOUT, host.scheduler())
                .exceptionally(e -> Done.getInstance())
                .thenCompose(done -> {
                    s.terminate();
                    return s.getWhenTerminated().thenApply(t -> Done.getInstance());
                });
    }
}
