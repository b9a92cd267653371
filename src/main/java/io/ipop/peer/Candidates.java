package io.ipop.peer;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where a session probes its peer besides its configured endpoint (docs/nat.md): direct candidates a
 * rendezvous announced, and relayed ones (an endpoint on a relay that passes datagrams on to the peer).
 * A session sends every {@code con_req} to all of them; the first verified answer sets the link's
 * endpoint. On a relayed link the session keeps probing the direct ones and moves to the first that
 * answers. Bounded: at most {@value #MAX} of each kind, the oldest forgotten first. Not thread-safe
 * (one session's state).
 */
final class Candidates {
    static final int MAX = 8;

    private final Set<Endpoint> direct = new LinkedHashSet<>();
    private final Map<Endpoint, PeerId> relayed = new LinkedHashMap<>();
    private final Consumer<List<Endpoint>> published;
    /** An overlay session's direct candidates are kept but not probed until an on-demand direct link is wanted. */
    private boolean holdDirect;

    /** @param published told {@link #all()} after every change (the link shows it) */
    Candidates(Consumer<List<Endpoint>> published) {
        this.published = published;
    }

    /** Adds direct candidates and, if {@code relay} is not null, a relayed one through node {@code via}. */
    void learn(List<Endpoint> directOnes, Endpoint relay, PeerId via) {
        for (Endpoint e : directOnes) {
            direct.remove(e);
            direct.add(e);
            trim(direct);
        }
        if (relay != null) {
            relayed.remove(relay);
            relayed.put(relay, via);
            trim(relayed.keySet());
        }
        published.accept(all());
    }

    /** The endpoints of a verified hello's {@code cands} (IPv4 literals, checked by the codec: no lookup). */
    static List<Endpoint> of(List<String> cands) {
        return cands == null ? List.of() : cands.stream().map(Endpoint::parse).toList();
    }

    List<Endpoint> direct() {
        return holdDirect ? List.of() : List.copyOf(direct);
    }

    /** While held, the direct candidates are learned but not probed (an overlay session: docs/architecture.md). */
    void holdDirect(boolean hold) {
        holdDirect = hold;
        published.accept(all());
    }

    /** Every candidate, direct ones first. */
    List<Endpoint> all() {
        List<Endpoint> out = new ArrayList<>(direct());
        out.addAll(relayed.keySet());
        return out;
    }

    /** True if {@code e} is a direct candidate: the peer named it, or a rendezvous saw the peer there. */
    boolean isDirect(Endpoint e) {
        return direct.contains(e);
    }

    boolean isRelayed(Endpoint e) {
        return relayed.containsKey(e);
    }

    /** True if a link at {@code current} is relayed and {@code other} is a direct path: the link may move there. */
    boolean leavesRelay(Endpoint current, Endpoint other) {
        return isRelayed(current) && !isRelayed(other) && !other.equals(current);
    }

    /** The relay node behind a relayed candidate, or null for a direct endpoint. */
    PeerId via(Endpoint e) {
        return relayed.get(e);
    }

    private static void trim(Set<Endpoint> set) {
        while (set.size() > MAX) {
            set.remove(set.iterator().next());
        }
    }
}
