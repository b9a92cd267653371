package io.ipop.topology;

import io.ipop.wire.PeerId;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One node's view for {@link Topology}: the ring it knows and the links it wanted last, so that members can
 * be added and removed one at a time and each change answers what to link and what to close. Not
 * thread-safe: owned by one actor (peer.Neighbours) or one simulated node. The ring is immutable and may be
 * shared ({@link #ring(Ring)}).
 */
public final class Neighbourhood {
    private final PeerId self;
    private final Topology topology;
    private Ring ring;
    private Map<PeerId, Role> wanted = Map.of();
    /** Members that refused a long-distance link from this node, while they are members. */
    private final Set<PeerId> refused = new HashSet<>();

    /** What a change did to the wanted links: {@code added} (with their roles, also role changes) and {@code removed}. */
    public record Change(Map<PeerId, Role> added, Set<PeerId> removed) {
        public boolean isEmpty() {
            return added.isEmpty() && removed.isEmpty();
        }
    }

    public Neighbourhood(PeerId self, Topology topology) {
        this.self = self;
        this.topology = topology;
        this.ring = Ring.empty().with(self);
    }

    public PeerId self() {
        return self;
    }

    public Ring ring() {
        return ring;
    }

    /** The links this node wants now, and why. */
    public Map<PeerId, Role> wanted() {
        return wanted;
    }

    public Change add(PeerId member) {
        return ring(ring.with(member));
    }

    public Change remove(PeerId member) {
        if (member.equals(self)) {
            throw new IllegalArgumentException("a node cannot leave its own ring");
        }
        return ring(ring.without(member));
    }

    /** {@code member} refused the link this node wanted to it (over its cap): choose another for that level. */
    public Change refusedBy(PeerId member) {
        if (!wanted.containsKey(member) || wanted.get(member) != Role.LONG_DISTANCE) {
            return new Change(Map.of(), Set.of());
        }
        refused.add(member);
        return ring(ring);
    }

    /**
     * Of the members that want a link to this node ({@code incoming}), those it refuses: more than the cap
     * ({@link Topology#refusals}). The node tells them (the link closes with a reason); each calls
     * {@link #refusedBy} with this node.
     */
    public Set<PeerId> refusals(Set<PeerId> incoming) {
        return topology.refusals(ring, self, wanted, incoming);
    }

    /** Replaces the known members by {@code next} (which must hold this node) and selects again. */
    public Change ring(Ring next) {
        if (!next.contains(self)) {
            throw new IllegalArgumentException(self + " is not on the ring");
        }
        ring = next;
        refused.removeIf(p -> !next.contains(p));
        Map<PeerId, Role> before = wanted;
        wanted = topology.select(ring, self, before, refused);
        Map<PeerId, Role> added = new HashMap<>();
        wanted.forEach((p, role) -> {
            if (before.get(p) != role) {
                added.put(p, role);
            }
        });
        Set<PeerId> removed = new HashSet<>(before.keySet());
        removed.removeAll(wanted.keySet());
        return new Change(Map.copyOf(added), Set.copyOf(removed));
    }
}
