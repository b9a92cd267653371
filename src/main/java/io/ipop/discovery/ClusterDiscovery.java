package io.ipop.discovery;

import io.ipop.peer.LocalNode;
import io.ipop.peer.PeerDirectory;
import io.ipop.secure.NodeIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
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
 * {@link PeerDirectory} of each peer that appears ({@code PeerFound}, discovered by {@code cluster})
 * or goes ({@code PeerLost}) as {@link ClusterView} works out.
 *
 * <p>Only membership moves peers: a member that is merely unreachable keeps its link, whose own
 * keepalive decides its liveness, so the data path never waits on the cluster. A member goes when it
 * leaves (SIGTERM: {@link Leave} runs first in the coordinated shutdown) or when the Split Brain
 * Resolver downs it. A removed member's record is deleted from the map by every node that sees the
 * removal (observed-remove: a record its restart publishes meanwhile survives).
 *
 * <p>Any member can write any key of the map, so records are believed only as far as {@link RecordCheck}
 * accepts them (signed by their own name's certificate, bound to their member's TLS certificate); a deleted or
 * refused record never takes away a peer whose member is still up ({@link ClusterView}). Records waiting for
 * this node's first TLS connection to their member are checked again every {@value #RECHECK_MS} ms, and the
 * member is sent an {@link Identify} to open that connection.
 */
public final class ClusterDiscovery extends AbstractBehavior<ClusterDiscovery.Command> {
    /** The coordinated-shutdown phase that leaves the cluster (defined in ipop-pekko.conf, before the links close). */
    public static final String LEAVE_PHASE = "ipop-cluster-leave";
    static final Key<LWWMap<String, PeerRecord>> KEY = LWWMapKey.create("ipop-peers");
    private static final Duration RESTART_MIN = Duration.ofSeconds(1);
    private static final Duration RESTART_MAX = Duration.ofSeconds(30);
    static final long RECHECK_MS = 1000;
    /** Refused records are logged at most this often (an insider can write them at will); the counters have all. */
    private static final Duration REFUSALS_LOGGED_EVERY = Duration.ofSeconds(10);

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

    /** Check the directory again: records wait for a TLS connection to their member (or an answer opened one). */
    private enum Recheck implements Command {
        INSTANCE
    }

    /** Peers remembered from the {@link PeerCache} have waited {@link #REMEMBERED_MAX} for this node to be Up. */
    private enum SettleRemembered implements Command {
        INSTANCE
    }

    /** Write the peer cache again, though unchanged, so that its age says when these peers were last members. */
    private enum RefreshCache implements Command {
        INSTANCE
    }

    /** How long peers remembered from the previous run are kept without this node being a member to check them. */
    static final Duration REMEMBERED_MAX = Duration.ofSeconds(60);

    private final ActorRef<PeerDirectory.Command> directory;
    private final ReplicatorMessageAdapter<Command, LWWMap<String, PeerRecord>> replicator;
    private final SelfUniqueAddress node;
    private final Cluster cluster;
    private final PeerRecord own;
    private final ClusterView view;
    private final RecordCheck check;
    private final TimerScheduler<Command> timers;
    private final org.apache.pekko.actor.ActorRef identifyReplies;
    private final RecordCounters counters;
    private final Runnable onDowned;
    private final Optional<PeerCache> cache;
    private List<PeerRecord> saved;
    private boolean selfUp;
    private Map<String, PeerRecord> directoryNow = Map.of();
    private long refusalsLogged;
    private long refusalsLoggedAtNanos;
    private ActorRef<Done> leaveReplyTo;
    private boolean leaving;
    private boolean downed;

    private ClusterDiscovery(ActorContext<Command> context, ReplicatorMessageAdapter<Command, LWWMap<String, PeerRecord>> replicator,
                             TimerScheduler<Command> timers, PeerRecord own, ActorRef<PeerDirectory.Command> directory,
                             ClusterView view, RecordCheck check, RecordCounters counters, Runnable onDowned,
                             Optional<PeerCache> cache) {
        super(context);
        this.cache = cache;
        this.onDowned = onDowned;
        this.replicator = replicator;
        this.timers = timers;
        this.directory = directory;
        this.own = own;
        this.view = view;
        this.check = check;
        this.counters = counters;
        this.identifyReplies = Adapter.toClassic(context.messageAdapter(ActorIdentity.class, a -> Recheck.INSTANCE));
        this.cluster = Cluster.get(context.getSystem());
        this.node = DistributedData.get(context.getSystem()).selfUniqueAddress();
    }

    /**
     * @param identity this node's certificate: signs its record, and its CA checks the others'; without it records
     *                 travel unsigned and are taken as they are (a plain cluster)
     * @param counters where the records followed and refused are counted
     * @param onDowned called once when the cluster downs or removes this node without its asking to leave (its
     *                 peers have been told they are lost by then): {@link ClusterMembership} starts a new member
     * @param cache    where the peers followed are remembered across restarts ({@link PeerCache}, already loaded):
     *                 the first discovery of the process announces them at once
     */
    public static Behavior<Command> create(LocalNode self, DiscoverySettings settings, Optional<NodeIdentity> identity,
                                           ActorRef<PeerDirectory.Command> directory, RecordCounters counters,
                                           Runnable onDowned, Optional<PeerCache> cache) {
        return Behaviors.setup(ctx -> {
            // A replicator that does not answer within its ask timeout (a starved JVM) fails the actor:
            // start again (subscribe, publish, recompute what the directory must hear).
            return Behaviors.supervise(following(self, settings, identity, directory, counters, onDowned, cache))
                    .onFailure(SupervisorStrategy.restartWithBackoff(RESTART_MIN, RESTART_MAX, 0.2));
        });
    }

    private static Behavior<Command> following(LocalNode self, DiscoverySettings settings, Optional<NodeIdentity> identity,
                                               ActorRef<PeerDirectory.Command> directory, RecordCounters counters,
                                               Runnable onDowned, Optional<PeerCache> cache) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                DistributedData.<Command, LWWMap<String, PeerRecord>>withReplicatorMessageAdapter(replicator -> {
            Cluster cluster = Cluster.get(ctx.getSystem());
            PeerRecord unsigned = new PeerRecord(self.name(), self.instance(), self.address(), self.mac(), settings.endpoints(),
                    self.groups(), null, memberKey(cluster.selfMember().uniqueAddress()), null);
            PeerRecord own = identity.map(id -> RecordSignature.sign(unsigned, id)).orElse(unsigned);
            RecordCheck check = new RecordCheck(identity.map(NodeIdentity::ca),
                    settings.clusterTls() ? Optional.of(MemberCertificates.get(ctx.getSystem())) : Optional.empty(),
                    counters, Instant::now);
            cluster.subscriptions().tell(Subscribe.create(
                    ctx.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
            replicator.subscribe(KEY, RecordsChanged::new);
            ctx.getLog().info("cluster discovery: member {}, seeds {}, publishing endpoints {}", own.member(),
                    settings.seedNodes(), settings.endpoints());
            ClusterView view = new ClusterView(own.name(), settings.maxClusterPeers(), counters);
            List<PeerRecord> remembered = cache.map(PeerCache::takeRemembered).orElse(List.of());
            if (!remembered.isEmpty()) {
                ctx.getLog().info("cluster: {} peer(s) remembered from the previous run, linked while joining", remembered.size());
                view.remember(remembered);
                timers.startSingleTimer(SettleRemembered.INSTANCE, REMEMBERED_MAX);
            }
            cache.ifPresent(c -> timers.startTimerWithFixedDelay(RefreshCache.INSTANCE, c.refreshEvery()));
            ClusterDiscovery discovery = new ClusterDiscovery(ctx, replicator, timers, own, directory,
                    view, check, counters, onDowned, cache);
            discovery.publish();
            return discovery;
        })));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(MembershipChanged.class, this::onMembershipChanged)
                .onMessage(RecordsChanged.class, this::onRecordsChanged)
                .onMessage(Written.class, this::onWritten)
                .onMessageEquals(Recheck.INSTANCE, this::onRecheck)
                .onMessageEquals(SettleRemembered.INSTANCE, this::onSettleRemembered)
                .onMessageEquals(RefreshCache.INSTANCE, () -> saveCache(true))
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
                selfUp = true;
                view.settle();                     // it knows the membership now: remembered peers are checked
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
                // The others drop their links to this member as they remove it; drop ours to them alike, then
                // let the membership start a new member (a removed one can never join again).
                downed = true;
                getContext().getLog().warn("cluster: this node is {} (downed by the cluster)", status);
                view.forgetAll().forEach(directory::tell);
                onDowned.run();
                return this;
            }
        }
        if (!downed) {
            update();
        }
        return this;
    }

    private Behavior<Command> onRecordsChanged(RecordsChanged m) {
        if (m.response() instanceof Replicator.Changed<LWWMap<String, PeerRecord>> changed) {
            directoryNow = changed.get(KEY).getEntries();
            if (!own.equals(directoryNow.get(own.name()))) {
                publish();                       // ours was removed or overwritten, or an old incarnation's is still there
            }
            checkRecords();
        }
        return this;
    }

    private Behavior<Command> onSettleRemembered() {
        if (view.unsettled()) {
            getContext().getLog().info("cluster: not a member {} s after the start; peers remembered from the previous"
                    + " run go unless they are members", REMEMBERED_MAX.toSeconds());
            view.settle();
            update();
        }
        return this;
    }

    private Behavior<Command> onRecheck() {
        checkRecords();
        return this;
    }

    private void checkRecords() {
        view.records(check.accepted(directoryNow, own.name()));
        update();
        logRefusals();
        Set<String> pending = check.pendingMembers();
        if (pending.isEmpty()) {
            timers.cancel(Recheck.INSTANCE);
        } else if (!timers.isTimerActive(Recheck.INSTANCE)) {
            timers.startSingleTimer(Recheck.INSTANCE, Duration.ofMillis(RECHECK_MS));
            pending.forEach(this::connectTo);
        }
    }

    private void logRefusals() {
        long total = counters.totalRefused();
        long now = System.nanoTime();
        if (total > refusalsLogged && (refusalsLogged == 0 || now - refusalsLoggedAtNanos >= REFUSALS_LOGGED_EVERY.toNanos())) {
            getContext().getLog().warn("cluster: ignoring peer records that fail their checks, so far: {}"
                    + " (/overlay/node cluster_records; at most one line per {} s)", counters.describeRefused(),
                    REFUSALS_LOGGED_EVERY.toSeconds());
            refusalsLogged = total;
            refusalsLoggedAtNanos = now;
        }
    }

    /** Any message to a member makes Artery connect to it over TLS; its answer triggers a {@link Recheck}. */
    private void connectTo(String member) {
        int uid = member.lastIndexOf('#');
        String address = uid < 0 ? member : member.substring(0, uid);
        Adapter.toClassic(getContext()).actorSelection(address + "/system/ddataReplicator")
                .tell(new Identify("ipop-record-check"), identifyReplies);
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
        saveCache(false);
    }

    /** Writes the peers followed to the cache when they changed (or {@code always}), once this node is a member. */
    private Behavior<Command> saveCache(boolean always) {
        if (cache.isPresent() && selfUp && !downed && !view.unsettled()) {
            List<PeerRecord> now = view.announcedRecords();
            if (always || !now.equals(saved)) {
                cache.get().save(now);
                saved = now;
            }
        }
        return this;
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
