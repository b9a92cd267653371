package io.ipop.discovery;

import io.ipop.node.DiscoverySettings;
import io.ipop.peer.LocalNode;
import io.ipop.peer.PeerDirectory;
import io.ipop.secure.NodeIdentity;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Discovery through the Pekko Cluster: publishes this node's {@link PeerRecord} in a Distributed Data
 * map (node name to record, gossiped to every member) and follows the membership, telling the
 * {@link PeerDirectory} of each peer that appears ({@code PeerFound}, discovered by {@value #SOURCE})
 * or goes ({@code PeerLost}) as {@link ClusterView} works out.
 *
 * <p>Only membership moves peers: a member that is merely unreachable keeps its link, whose own
 * keepalive decides its liveness, so the data path never waits on the cluster. A member goes when it
 * leaves (SIGTERM: {@link Leave} runs first in the coordinated shutdown) or when the Split Brain
 * Resolver downs it. A removed member's record is deleted from the map by every node that sees the
 * removal (observed-remove: a record its restart publishes meanwhile survives).
 */
public final class ClusterDiscovery extends AbstractBehavior<ClusterDiscovery.Command> {
    /** The {@code discoveredBy} of peers found here. */
    public static final String SOURCE = "cluster";
    /** The coordinated-shutdown phase that leaves the cluster (defined in ipop-pekko.conf, before the links close). */
    public static final String LEAVE_PHASE = "ipop-cluster-leave";
    static final Key<LWWMap<String, PeerRecord>> KEY = LWWMapKey.create("ipop-peers");
    private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration RESTART_MIN = Duration.ofSeconds(1);
    private static final Duration RESTART_MAX = Duration.ofSeconds(30);

    /** Messages the discovery handles. */
    public sealed interface Command {
    }

    /**
     * Leave the cluster; replies once this member is exiting (every member has seen it leaving and dropped
     * its links) or gone.
     */
    public record LeaveCluster(ActorRef<Done> replyTo) implements Command {
    }

    private record MembershipChanged(ClusterEvent.MemberEvent event) implements Command {
    }

    private record RecordsChanged(Replicator.SubscribeResponse<LWWMap<String, PeerRecord>> response) implements Command {
    }

    private record Written(Replicator.UpdateResponse<LWWMap<String, PeerRecord>> response) implements Command {
    }

    private final ActorRef<PeerDirectory.Command> directory;
    private final ReplicatorMessageAdapter<Command, LWWMap<String, PeerRecord>> replicator;
    private final SelfUniqueAddress node;
    private final Cluster cluster;
    private final PeerRecord own;
    private final ClusterView view;
    private ActorRef<Done> leaveReplyTo;
    private boolean leaving;
    private boolean downed;

    private ClusterDiscovery(ActorContext<Command> context, ReplicatorMessageAdapter<Command, LWWMap<String, PeerRecord>> replicator,
                             PeerRecord own, ActorRef<PeerDirectory.Command> directory) {
        super(context);
        this.replicator = replicator;
        this.directory = directory;
        this.own = own;
        this.view = new ClusterView(own.name());
        this.cluster = Cluster.get(context.getSystem());
        this.node = DistributedData.get(context.getSystem()).selfUniqueAddress();
    }

    /**
     * @param identity this node's certificate, published in its record when present
     */
    public static Behavior<Command> create(LocalNode self, DiscoverySettings settings, Optional<NodeIdentity> identity,
                                           ActorRef<PeerDirectory.Command> directory) {
        return Behaviors.setup(ctx -> {
            ActorSystem<Void> system = ctx.getSystem();
            ActorRef<Command> me = ctx.getSelf();
            CoordinatedShutdown.get(system).addTask(LEAVE_PHASE, "leave-cluster", () ->
                    AskPattern.<Command, Done>ask(me, LeaveCluster::new, LEAVE_TIMEOUT, system.scheduler())
                            .exceptionally(e -> Done.getInstance()));
            // A replicator that does not answer within its ask timeout (a starved JVM) fails the actor:
            // start again (subscribe, publish, recompute what the directory must hear).
            return Behaviors.supervise(following(self, settings, identity, directory))
                    .onFailure(SupervisorStrategy.restartWithBackoff(RESTART_MIN, RESTART_MAX, 0.2));
        });
    }

    private static Behavior<Command> following(LocalNode self, DiscoverySettings settings, Optional<NodeIdentity> identity,
                                               ActorRef<PeerDirectory.Command> directory) {
        return Behaviors.setup(ctx -> DistributedData.<Command, LWWMap<String, PeerRecord>>withReplicatorMessageAdapter(replicator -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            PeerRecord own = new PeerRecord(self.name(), self.instance(), self.address(), self.mac(), settings.endpoints(),
                    self.groups(), identity.map(NodeIdentity::certificateBase64).orElse(null),
                    memberKey(cluster.selfMember().uniqueAddress()));
            cluster.subscriptions().tell(Subscribe.create(
                    ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
            replicator.subscribe(KEY, RecordsChanged::new);
            ctx.getLog().info("cluster discovery: member {}, seeds {}, publishing endpoints {}", own.member(),
                    settings.seedNodes(), settings.endpoints());
            ClusterDiscovery discovery = new ClusterDiscovery(ctx, replicator, own, directory);
            discovery.publish();
            return discovery;
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(MembershipChanged.class, this::onMembershipChanged)
                .onMessage(RecordsChanged.class, this::onRecordsChanged)
                .onMessage(Written.class, this::onWritten)
                .onMessage(LeaveCluster.class, this::onLeave)
                .build();
    }

    private Behavior<Command> onMembershipChanged(MembershipChanged m) {
        Member member = m.event().member();
        String key = memberKey(member.uniqueAddress());
        MemberStatus status = member.status();
        boolean self = key.equals(own.member());
        if (status == MemberStatus.up() || status == MemberStatus.weaklyUp()) {
            view.memberUp(key);
            if (self) {
                getContext().getLog().info("cluster: this node is {}", status);
            }
        } else if (status != MemberStatus.joining()) {
            view.memberGone(key);
            getContext().getLog().info("cluster: member {} is {}", key, status);
        }
        if (m.event() instanceof ClusterEvent.MemberRemoved) {
            view.recordsOf(key).forEach(this::forget);
        }
        if (self && (status == MemberStatus.exiting() || status == MemberStatus.removed() || status == MemberStatus.down())) {
            if (leaving) {
                replyLeft();
            } else if (!downed) {
                downed = true;
                getContext().getLog().warn("cluster: this node is {} (downed by the cluster); its links keep running,"
                        + " restart it to rejoin", status);
            }
        }
        update();
        return this;
    }

    private Behavior<Command> onRecordsChanged(RecordsChanged m) {
        if (m.response() instanceof Replicator.Changed<LWWMap<String, PeerRecord>> changed) {
            view.records(changed.get(KEY).getEntries());
            PeerRecord mine = view.record(own.name());
            if (mine == null || !mine.equals(own)) {
                publish();                       // ours was removed, or an old incarnation's is still there
            }
            update();
        }
        return this;
    }

    private Behavior<Command> onWritten(Written w) {
        if (!(w.response() instanceof Replicator.UpdateSuccess)) {
            getContext().getLog().warn("cluster: writing the peer directory failed: {}", w.response());
        }
        return this;
    }

    private Behavior<Command> onLeave(LeaveCluster leave) {
        Member self = cluster.selfMember();
        MemberStatus s = self.status();
        if (s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.joining()) {
            getContext().getLog().info("cluster: leaving");
            leaving = true;
            leaveReplyTo = leave.replyTo();
            cluster.manager().tell(Leave.create(self.address()));
        } else {
            leave.replyTo().tell(Done.getInstance());
        }
        return this;
    }

    private void replyLeft() {
        if (leaveReplyTo != null) {
            leaveReplyTo.tell(Done.getInstance());
            leaveReplyTo = null;
        }
    }

    private void update() {
        view.changes().forEach(directory::tell);
    }

    private void publish() {
        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
                map -> map.put(node, own.name(), own)), Written::new);
    }

    /** Deletes {@code name}'s record if it is still the one a removed member published. */
    private void forget(String name) {
        PeerRecord stale = view.record(name);
        if (stale == null || stale.name().equals(own.name())) {
            return;
        }
        replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
                map -> stale.equals(map.getEntries().get(name)) ? map.remove(node, name) : map), Written::new);
    }

    /** {@code pekko://ipop@host:port#uid}: a member's address and incarnation. */
    static String memberKey(UniqueAddress u) {
        return u.address() + "#" + u.longUid();
    }
}
