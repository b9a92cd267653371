package io.ipop.discovery;

import io.ipop.peer.Discovery;
import io.ipop.peer.PeerDirectory;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the cluster directory says right now, and what the peer directory must hear to follow it. A
 * peer is found once an accepted record ({@link RecordCheck}) names a member that is up: a record alone
 * (left behind by a member that went away) or a member without a record (not an ipop node, or its record
 * not yet gossiped) is no peer. A peer whose accepted record changed its instance or member (a restart) is
 * lost and found again.
 *
 * <p>Only membership takes a peer away: it is lost when the member of the record it was found by leaves,
 * is downed or removed. A record that disappears, or is replaced by one that is refused, while that member
 * is still up does not touch the peer, since any member can delete any key of the map: deleting or
 * overwriting another node's record must not cut its links.
 *
 * <p>At most {@code maxPeers} peers are followed; records beyond are refused ({@link RecordRefusal#OVER_CAP},
 * counted once per record) in name order, peers already followed first. Not thread-safe: one actor owns it.
 */
final class ClusterView {
    private final String selfName;
    private final int maxPeers;
    private final RecordCounters counters;
    /** Records refused for the cap (name to record), so each is counted once. */
    private final Map<String, PeerRecord> overCap = new HashMap<>();
    /** Members that are up ({@code Up} or {@code WeaklyUp}), by {@link PeerRecord#member()} form. */
    private final Set<String> upMembers = new HashSet<>();
    private Map<String, PeerRecord> records = Map.of();
    /** What the peer directory was told: peers found through the cluster and not lost since. */
    private final Map<String, PeerRecord> announced = new TreeMap<>();
    /** Announced from the {@link PeerCache} and not lost for leaving until {@link #settle}: the membership is unknown. */
    private final Set<String> remembered = new HashSet<>();

    ClusterView(String selfName, int maxPeers, RecordCounters counters) {
        this.selfName = selfName;
        this.maxPeers = maxPeers;
        this.counters = counters;
    }

    void memberUp(String member) {
        upMembers.add(member);
    }

    /** The member is leaving, exiting, down or removed: its peer goes. */
    void memberGone(String member) {
        upMembers.remove(member);
    }

    /** The directory's accepted records, by node name ({@link RecordCheck#accepted}). */
    void records(Map<String, PeerRecord> accepted) {
        records = Map.copyOf(accepted);
    }

    PeerRecord record(String name) {
        return records.get(name);
    }

    /** Names of the records published by {@code member}. */
    List<String> recordsOf(String member) {
        return records.values().stream().filter(r -> r.member().equals(member)).map(PeerRecord::name).sorted().toList();
    }

    /** Names of the peers currently announced (sorted). */
    Set<String> announced() {
        return announced.keySet();
    }

    /**
     * Peers this node followed in its previous run ({@link PeerCache#load}, which announced them to the peer
     * directory at start): they count as announced, and are not lost for a member that is not up until
     * {@link #settle} (this node has not seen the membership yet). A remembered peer whose record shows another
     * incarnation is lost and found again as usual.
     */
    void remember(List<PeerRecord> previous) {
        for (PeerRecord r : previous) {
            if (!r.name().equals(selfName) && !announced.containsKey(r.name()) && announced.size() < maxPeers) {
                announced.put(r.name(), r);
                remembered.add(r.name());
            }
        }
        counters.followed(announced.size());
    }

    /** What the peer directory hears of a peer found through its record. */
    static PeerDirectory.PeerFound found(PeerRecord r) {
        return new PeerDirectory.PeerFound(PeerId.of(r.name()), r.endpoint(), Discovery.CLUSTER, r.address(), r.mac());
    }

    /** This node is a member and knows the membership: remembered peers whose member is not up go at the next {@link #changes}. */
    void settle() {
        remembered.clear();
    }

    /** Whether peers remembered from the cache wait for {@link #settle}. */
    boolean unsettled() {
        return !remembered.isEmpty();
    }

    /** The records of the peers announced now (what the {@link PeerCache} saves). */
    List<PeerRecord> announcedRecords() {
        return List.copyOf(announced.values());
    }

    /** The messages that bring the peer directory up to date, losses first; afterwards it is. */
    List<PeerDirectory.Command> changes() {
        Map<String, PeerRecord> wanted = new TreeMap<>();
        for (PeerRecord r : records.values()) {
            if (!r.name().equals(selfName) && upMembers.contains(r.member())) {
                wanted.put(r.name(), r);
            }
        }
        List<PeerDirectory.Command> out = new ArrayList<>();
        for (var it = announced.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            PeerRecord now = wanted.get(e.getKey());
            String instance = e.getValue().instance();
            if (now != null && !sameIncarnation(now, e.getValue())) {
                out.add(new PeerDirectory.PeerLost(PeerId.of(e.getKey()), Discovery.CLUSTER, "restarted (new cluster member)",
                        instance));
                it.remove();
                remembered.remove(e.getKey());
            } else if (now == null && !upMembers.contains(e.getValue().member()) && !remembered.contains(e.getKey())) {
                out.add(new PeerDirectory.PeerLost(PeerId.of(e.getKey()), Discovery.CLUSTER, "left the cluster", instance));
                it.remove();
            }
        }
        overCap.keySet().retainAll(wanted.keySet());
        wanted.forEach((name, r) -> {
            if (announced.containsKey(name)) {
                return;
            }
            if (announced.size() >= maxPeers) {
                PeerRecord before = overCap.put(name, r);
                if (before == null || !sameIncarnation(before, r)) {
                    counters.refuse(RecordRefusal.OVER_CAP);
                }
                return;
            }
            overCap.remove(name);
            announced.put(name, r);
            out.add(found(r));
        });
        counters.followed(announced.size());
        return out;
    }

    /**
     * This node left the cluster without asking (downed): every peer announced is lost, and nothing more is
     * announced by this view.
     */
    List<PeerDirectory.Command> forgetAll() {
        List<PeerDirectory.Command> out = new ArrayList<>();
        announced.keySet().forEach(name -> out.add(
                new PeerDirectory.PeerLost(PeerId.of(name), Discovery.CLUSTER, "this node was downed by the cluster")));
        announced.clear();
        remembered.clear();
        upMembers.clear();
        records = Map.of();
        counters.followed(0);
        return out;
    }

    private static boolean sameIncarnation(PeerRecord a, PeerRecord b) {
        return a.member().equals(b.member()) && a.instance().equals(b.instance()) && a.endpoint().equals(b.endpoint());
    }
}
