package io.ipop.discovery;

import io.ipop.peer.PeerDirectory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the cluster directory says right now, and what the peer directory must hear to follow it. A
 * peer is present while its record names a member that is up: a record alone (left behind by a
 * member that went away) or a member without a record (not an ipop node, or its record not yet
 * gossiped) is no peer. A peer whose record changed its instance or member (a restart) is lost and
 * found again. Not thread-safe: one actor owns it.
 */
final class ClusterView {
    private final String selfName;
    /** Members that are up ({@code Up} or {@code WeaklyUp}), by {@link PeerRecord#member()} form. */
    private final Set<String> upMembers = new HashSet<>();
    private Map<String, PeerRecord> records = Map.of();
    /** What the peer directory was told: peers found through the cluster and not lost since. */
    private final Map<String, PeerRecord> announced = new TreeMap<>();

    ClusterView(String selfName) {
        this.selfName = selfName;
    }

    void memberUp(String member) {
        upMembers.add(member);
    }

    /** The member is leaving, exiting, down or removed: its peer goes. */
    void memberGone(String member) {
        upMembers.remove(member);
    }

    /** The directory's whole content, by node name. Entries whose key is not the record's name are ignored. */
    void records(Map<String, PeerRecord> byName) {
        Map<String, PeerRecord> valid = new HashMap<>();
        byName.forEach((name, r) -> {
            if (r != null && name.equals(r.name())) {
                valid.put(name, r);
            }
        });
        records = valid;
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
            if (now == null || !sameIncarnation(now, e.getValue())) {
                out.add(new PeerDirectory.PeerLost(e.getKey(), ClusterDiscovery.SOURCE,
                        now == null ? "left the cluster" : "restarted (new cluster member)"));
                it.remove();
            }
        }
        wanted.forEach((name, r) -> {
            if (!announced.containsKey(name)) {
                announced.put(name, r);
                out.add(new PeerDirectory.PeerFound(name, r.endpoint(), ClusterDiscovery.SOURCE));
            }
        });
        return out;
    }

    private static boolean sameIncarnation(PeerRecord a, PeerRecord b) {
        return a.member().equals(b.member()) && a.instance().equals(b.instance()) && a.endpoint().equals(b.endpoint());
    }
}
