package io.ipop.peer;

import io.ipop.topology.Neighbourhood;
import io.ipop.topology.Role;
import io.ipop.topology.Topology;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which members get a link (docs/architecture.md, "Topology"). Every peer found by the cluster directory or the
 * config is a member; a session is opened only for
 * <ol>
 *   <li>the members {@link Topology} wants (successors, long-distance links; everyone in a full mesh),</li>
 *   <li>static peers ({@code ipop.peers}), always,</li>
 *   <li>members that asked for a link ({@link #requested}: their verified {@code con_req} reached this node
 *       through {@link MemberGate}): a link exists if either end wants it. Such a link is kept until it goes
 *       down (the asking end closed it) unless more ask than this node accepts ({@link Neighbourhood#refusals}):
 *       those it closes with {@link #REFUSED}, and the asking end, hearing that reason, picks another member.</li>
 * </ol>
 * A link no longer wanted is retired: closed (the peer hears {@code close} with {@link #RETIRED}) once every
 * link this node wants is up, or after the grace period at the latest, so a replaced link never leaves a gap.
 * Peers found otherwise (NAT traversal) are not members and keep their links as before.
 *
 * <p>Each event returns a {@link Plan}: what the directory must open and close. Not thread-safe: owned by the
 * {@link PeerDirectory} actor; {@code members} is the lock-free view {@link MemberGate} reads.
 */
final class Neighbours {
    /** The reason in the {@code close} a node sends to a member it refuses (over its inbound cap). */
    static final String REFUSED = "topology: refused, this node has as many inbound links as it accepts";
    /** The reason in the {@code close} of a link the topology no longer wants. */
    static final String RETIRED = "topology: no longer a neighbour";

    /** What the directory does: open sessions for {@code link}, close {@code unlink} (reason), and maybe retire later. */
    record Plan(List<PeerDirectory.PeerFound> link, Map<PeerId, String> unlink, boolean retireLater) {
        static final Plan NONE = new Plan(List.of(), Map.of(), false);
    }

    private final Neighbourhood hood;
    private final Topology topology;
    private final PeerId self;
    private final Set<PeerId> members;
    private final Map<PeerId, PeerDirectory.PeerFound> cluster = new HashMap<>();
    private final Map<PeerId, PeerDirectory.PeerFound> statics = new HashMap<>();
    /** Peers this object asked the directory to link and has not unlinked since. */
    private final Set<PeerId> linked = new HashSet<>();
    private final Set<PeerId> up = new HashSet<>();
    /** Members whose request for a link this node took (they want it), with when (nanoseconds). */
    private final Map<PeerId, Long> requested = new HashMap<>();
    private final LongSupplier nanoClock;
    /** Members this node refused (over its cap) while they stay members. */
    private final Set<PeerId> refusedInbound = new HashSet<>();
    /** Linked, no longer wanted, waiting for the links that replace them. */
    private final Set<PeerId> retiring = new HashSet<>();

    /** How long a retiring link waits for its replacements, and a requested one may take to come up. */
    static final Duration GRACE = Duration.ofSeconds(15);

    Neighbours(PeerId self, Topology topology, Set<PeerId> members, LongSupplier nanoClock) {
        this.hood = new Neighbourhood(self, topology);
        this.topology = topology;
        this.self = self;
        this.members = members;
        this.nanoClock = nanoClock;
    }

    /** Whether {@code found} is a member this object decides about (cluster or static), rather than NAT's. */
    static boolean manages(PeerDirectory.PeerFound found) {
        return found.discoveredBy() == Discovery.CLUSTER || found.discoveredBy() == Discovery.STATIC;
    }

    Plan found(PeerDirectory.PeerFound f) {
        (f.discoveredBy() == Discovery.STATIC ? statics : cluster).put(f.name(), f);
        members.add(f.name());
        hood.add(f.name());
        return reconcile();
    }

    /** {@code source} no longer knows {@code peer}; the directory closes its link itself if {@code source} found it. */
    Plan lost(PeerId peer, Discovery source) {
        (source == Discovery.STATIC ? statics : cluster).remove(peer);
        if (statics.containsKey(peer) || cluster.containsKey(peer)) {
            return reconcile();
        }
        members.remove(peer);
        forget(peer);
        refusedInbound.remove(peer);
        hood.remove(peer);
        return reconcile();
    }

    /**
     * A member's verified {@code con_req} arrived without a session: link if it is a member not refused whose
     * topology could want this link ({@link Topology#mayWant}); null if refused.
     */
    Plan requested(PeerId peer) {
        PeerDirectory.PeerFound f = found(peer);
        if (f == null || refusedInbound.contains(peer) || !topology.mayWant(hood.ring(), peer, self)) {
            return null;
        }
        requested.putIfAbsent(peer, nanoClock.getAsLong());
        return reconcile();
    }

    Plan linkUp(PeerId peer) {
        if (!linked.contains(peer)) {
            return Plan.NONE;
        }
        up.add(peer);
        Set<PeerId> incoming = new HashSet<>(requested.keySet());
        incoming.retainAll(up);
        Map<PeerId, String> unlink = new LinkedHashMap<>();
        for (PeerId p : hood.refusals(incoming)) {
            if (!statics.containsKey(p)) {
                refusedInbound.add(p);
                forget(p);
                unlink.put(p, REFUSED);
            }
        }
        return merge(unlink, reconcile());
    }

    /** A link went down: one the peer asked for and this node does not want closes (the peer asks again if it wants). */
    Plan linkDown(PeerId peer) {
        up.remove(peer);
        if (linked.contains(peer) && requested.containsKey(peer) && !wantedHere(peer)) {
            forget(peer);
            return new Plan(List.of(), Map.of(peer, "topology: the peer that asked for this link closed it"), false);
        }
        return Plan.NONE;
    }

    /** {@code peer} closed our link with {@link #REFUSED}: choose another member for that level. */
    Plan refusedBy(PeerId peer) {
        hood.refusedBy(peer);
        return reconcile();
    }

    /**
     * {@code peer} closed its up link with us. If this node does not want the link (it was retiring, only answering
     * the peer, or the peer refused it: {@link #REFUSED}), the session stops here at once instead of seeking the peer
     * again, so no request of ours reaches a peer that just let the link go; null if this node wants the link (its
     * session reconnects).
     */
    Plan closedByPeer(PeerId peer, String reason) {
        boolean refused = REFUSED.equals(reason);
        if (refused) {
            hood.refusedBy(peer);                       // another member for that level
        }
        if (!linked.contains(peer) || wantedHere(peer)) {
            return refused ? reconcile() : null;
        }
        forget(peer);
        return merge(Map.of(peer, "peer closed the link: " + reason), reconcile());
    }

    /**
     * The grace period is over: close every retiring link, and every link a member asked for that has not come up
     * within {@link #GRACE} and this node does not want (so that two nodes that both only answer cannot keep a
     * link neither wants).
     */
    Plan retireDue() {
        Map<PeerId, String> unlink = retireNow();
        long now = nanoClock.getAsLong();
        for (var e : List.copyOf(requested.entrySet())) {
            PeerId p = e.getKey();
            if (!up.contains(p) && !wantedHere(p) && now - e.getValue() >= GRACE.toNanos()) {
                forget(p);
                unlink.put(p, "topology: the link asked for did not come up");
            }
        }
        return new Plan(List.of(), unlink, !requested.isEmpty() && !up.containsAll(requested.keySet()));
    }

    private Map<PeerId, String> retireNow() {
        Map<PeerId, String> unlink = new LinkedHashMap<>();
        for (PeerId p : List.copyOf(retiring)) {
            forget(p);
            unlink.put(p, RETIRED);
        }
        return unlink;
    }

    /** Why the link to {@code peer} is kept, for {@code /overlay/links}; null if the topology has no say in it. */
    String role(PeerId peer) {
        if (statics.containsKey(peer)) {
            return Role.STATIC.label();
        }
        Role r = hood.wanted().get(peer);
        if (r != null) {
            return r.label();
        }
        if (retiring.contains(peer)) {
            return "retiring";
        }
        return requested.containsKey(peer) ? "requested" : null;
    }

    /** What should be linked now, against what is: opens the missing, retires the unwanted. */
    private Plan reconcile() {
        Set<PeerId> desired = new HashSet<>(hood.wanted().keySet());
        desired.addAll(statics.keySet());
        desired.addAll(requested.keySet());
        desired.removeIf(p -> found(p) == null);
        List<PeerDirectory.PeerFound> link = new ArrayList<>();
        for (PeerId p : desired) {
            if (linked.add(p)) {
                link.add(found(p));
            }
        }
        retiring.removeAll(desired);
        for (PeerId p : linked) {
            if (!desired.contains(p)) {
                retiring.add(p);
            }
        }
        boolean waiting = !up.containsAll(requested.keySet());
        if (retiring.isEmpty()) {
            return new Plan(link, Map.of(), waiting);
        }
        boolean replaced = desired.stream().filter(p -> !requested.containsKey(p)).allMatch(up::contains);
        return replaced ? new Plan(link, retireNow(), waiting) : new Plan(link, Map.of(), true);
    }

    private boolean wantedHere(PeerId peer) {
        return hood.wanted().containsKey(peer) || statics.containsKey(peer);
    }

    private PeerDirectory.PeerFound found(PeerId peer) {
        PeerDirectory.PeerFound f = statics.get(peer);
        return f != null ? f : cluster.get(peer);
    }

    private void forget(PeerId peer) {
        linked.remove(peer);
        up.remove(peer);
        requested.remove(peer);
        retiring.remove(peer);
    }

    private static Plan merge(Map<PeerId, String> unlink, Plan plan) {
        if (unlink.isEmpty()) {
            return plan;
        }
        Map<PeerId, String> all = new LinkedHashMap<>(unlink);
        all.putAll(plan.unlink());
        return new Plan(plan.link(), all, plan.retireLater());
    }
}
