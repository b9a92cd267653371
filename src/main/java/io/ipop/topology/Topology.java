package io.ipop.topology;

import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Neighbour selection: which members a node wants direct links to (docs/architecture.md, "Topology").
 * Pure and stateless (the history it needs comes in as {@code previous}), so the node and the simulation run
 * the same code. A link exists if either end wants it.
 *
 * <p>Structured rule, for the node at rank {@code r} of a ring of {@code N} members:
 * <ol>
 *   <li>successors: the members at ranks {@code r±1 .. r±successors};</li>
 *   <li>long-distance: for level {@code i = 1 .. L} ({@code L = long-distance}, auto = ceil(log2 N)) the member at
 *       rank {@code r + t_i}, {@code t_i = round(N / 2^i)}, clockwise; levels with {@code t_i <= successors}
 *       are left out (the successors cover them) and so are repeated offsets;</li>
 *   <li>hysteresis: a member this node already wanted (any role) stands for level {@code i} instead of the
 *       ideal one while its clockwise rank distance {@code d} stays within {@code |d - t_i| <= t_i / 4} (offsets
 *       of at least {@value #MIN_HYSTERESIS}; shorter ones are kept exact), so
 *       a join or a leave, which shifts every rank behind it by one, changes only the few links at the edge
 *       of their tolerance.</li>
 * </ol>
 *   <li>a cap on what others want: a node accepts at most {@link #inboundCap} links it does not want itself
 *       and refuses the most drifted beyond ({@link #refusals}); a refused node picks the next member near
 *       its ideal one.</li>
 * </ol>
 * Offsets by <em>rank</em> (not by id distance, as Chord's fingers, which pile incoming links on the member
 * after a wide gap of ids) make every node the target of exactly one link per level when selections are
 * fresh. Hysteresis trades that exactness for stability (nodes keep links to older members), and the cap
 * bounds what it may pile up: at most {@code 2·successors + 2·levels + INBOUND_SLACK} links per node, levels
 * about log2(N / successors). Greedy routing on id distance then roughly halves the remaining distance per
 * hop, so paths take at most about log2 N hops (TopologyTest measures degree and hops).
 */
public final class Topology {
    private final TopologySettings settings;

    public Topology(TopologySettings settings) {
        this.settings = settings;
    }

    public TopologySettings settings() {
        return settings;
    }

    /**
     * The members {@code self} wants links to and why, successors first, then long-distance links from the
     * longest; with a full mesh every other member ({@link Role#FULL_MESH}).
     *
     * @param ring     the members this node knows, itself included
     * @param previous what the last call returned (empty at first): the links hysteresis may keep
     * @param refused  members that refused a long-distance link from this node ({@link #refusals}): never chosen
     *                 as one again; the level takes the next member within its tolerance
     * @throws IllegalArgumentException if {@code self} is not in {@code ring}
     */
    public Map<PeerId, Role> select(Ring ring, PeerId self, Map<PeerId, Role> previous, Set<PeerId> refused) {
        int n = ring.size();
        int r = rank(ring, self);
        Map<PeerId, Role> wanted = new LinkedHashMap<>();
        if (!settings.structuredAt(n)) {
            for (int k = 1; k < n; k++) {
                wanted.put(ring.at(r + k), Role.FULL_MESH);
            }
            return Collections.unmodifiableMap(wanted);
        }
        int s = settings.successors();
        for (int k = 1; k <= s && k < n; k++) {
            wanted.putIfAbsent(ring.at(r + k), Role.SUCCESSOR);
            wanted.putIfAbsent(ring.at(r - k), Role.SUCCESSOR);
        }
        int[] kept = keptDistances(ring, r, previous, wanted, refused);
        for (int t : offsets(n)) {
            int d = nearestKept(kept, t);
            PeerId peer = d > 0 ? ring.at(r + d) : ideal(ring, r, t, wanted, refused);
            if (peer != null) {
                wanted.putIfAbsent(peer, Role.LONG_DISTANCE);
            }
        }
        return Collections.unmodifiableMap(wanted);
    }

    /** {@link #select} with nothing refused. */
    public Map<PeerId, Role> select(Ring ring, PeerId self, Map<PeerId, Role> previous) {
        return select(ring, self, previous, Set.of());
    }

    /**
     * The rank offsets of the long-distance levels at {@code n} members, longest first: {@code round(n / 2^i)}
     * for {@code i = 1 .. long-distance}, those above {@code successors}, each once.
     */
    public int[] offsets(int n) {
        int levels = settings.longDistanceAt(n);
        int[] out = new int[Math.min(levels, 62)];
        int count = 0;
        for (int i = 1; i <= out.length; i++) {
            int t = (int) Math.round(n / Math.pow(2, i));
            if (t <= settings.successors()) {
                break;
            }
            if (count == 0 || out[count - 1] != t) {
                out[count++] = t;
            }
        }
        return Arrays.copyOf(out, count);
    }

    /**
     * Most links a node accepts that others want and it does not (long-distance links toward it), at {@code n}
     * members: as many as it sends plus {@value #INBOUND_SLACK}. Fresh selections give each node exactly one per
     * level; hysteresis lets a few more pile up on a node, and the cap stops them there, so a node has at
     * most {@code 2·successors + 2·levels + slack} links.
     */
    public int inboundCap(int n) {
        return offsets(n).length + INBOUND_SLACK;
    }

    /** How many links beyond one per level a node accepts from others (see {@link #inboundCap}). */
    public static final int INBOUND_SLACK = 3;

    /**
     * The members {@code self} refuses because more than {@link #inboundCap} want a link to it that it does not
     * want itself: those furthest (relative to the offset) from the level they stand for, so that the ideal
     * links of newcomers displace drifted ones. Successors are never refused; nothing is in a full mesh.
     *
     * @param wanted   what {@code self} wants (its last {@link #select})
     * @param incoming the members that want a link to {@code self}
     */
    public Set<PeerId> refusals(Ring ring, PeerId self, Map<PeerId, Role> wanted, Set<PeerId> incoming) {
        int n = ring.size();
        int r = rank(ring, self);
        if (!settings.structuredAt(n)) {
            return Set.of();
        }
        int[] offsets = offsets(n);
        List<PeerId> extra = new ArrayList<>();
        for (PeerId p : incoming) {
            int rp = ring.rankOf(p);
            int d = Math.floorMod(r - rp, n);
            if (rp >= 0 && !wanted.containsKey(p) && Math.min(d, n - d) > settings.successors()) {
                extra.add(p);
            }
        }
        int cap = offsets.length + INBOUND_SLACK;
        if (extra.size() <= cap) {
            return Set.of();
        }
        extra.sort(Comparator.comparingDouble((PeerId p) -> deviation(offsets, Math.floorMod(r - ring.rankOf(p), n)))
                .thenComparing(p -> p));
        return Set.copyOf(extra.subList(cap, extra.size()));
    }

    /**
     * Whether {@code from} could want a link to {@code to} on {@code ring}, whatever its history: {@code to} is one
     * of its successors, or lies within the tolerance of one of its levels (where hysteresis may keep a link and a
     * refused level looks for another), or the overlay is a full mesh. A node answers a member's request for a link
     * only if this holds.
     */
    public boolean mayWant(Ring ring, PeerId from, PeerId to) {
        int n = ring.size();
        int rf = ring.rankOf(from);
        int rt = ring.rankOf(to);
        if (rf < 0 || rt < 0 || rf == rt) {
            return false;
        }
        if (!settings.structuredAt(n)) {
            return true;
        }
        int d = Math.floorMod(rt - rf, n);
        if (Math.min(d, n - d) <= settings.successors()) {
            return true;
        }
        for (int t : offsets(n)) {
            if (Math.abs(d - t) <= tolerance(t)) {
                return true;
            }
        }
        return false;
    }

    /** How far clockwise rank distance {@code d} lies from the nearest level, relative to that level's offset. */
    private static double deviation(int[] offsets, int d) {
        double best = Double.MAX_VALUE;
        for (int t : offsets) {
            best = Math.min(best, Math.abs(d - t) / (double) t);
        }
        return best;
    }

    private static int rank(Ring ring, PeerId self) {
        int r = ring.rankOf(self);
        if (r < 0) {
            throw new IllegalArgumentException(self + " is not on the ring");
        }
        return r;
    }

    /** The member at {@code r + t}, or the nearest one to it within the tolerance that is free and not refused. */
    private static PeerId ideal(Ring ring, int r, int t, Map<PeerId, Role> wanted, Set<PeerId> refused) {
        int tolerance = tolerance(t);
        for (int step = 0; step <= 2 * tolerance; step++) {
            int delta = (step + 1) / 2 * (step % 2 == 0 ? -1 : 1);
            PeerId p = ring.at(r + t + delta);
            if (!refused.contains(p) && !wanted.containsKey(p) && ring.rankOf(p) != r) {
                return p;
            }
        }
        return null;
    }

    /** Clockwise rank distances of the earlier links still on the ring, not successors now and not refused. */
    private static int[] keptDistances(Ring ring, int r, Map<PeerId, Role> previous, Map<PeerId, Role> successors,
                                       Set<PeerId> refused) {
        int n = ring.size();
        int[] d = new int[previous.size()];
        int count = 0;
        for (PeerId p : previous.keySet()) {
            if (successors.containsKey(p) || refused.contains(p)) {
                continue;
            }
            int rank = ring.rankOf(p);
            if (rank >= 0) {
                d[count++] = Math.floorMod(rank - r, n);
            }
        }
        return Arrays.copyOf(d, count);
    }

    /** Offsets below this are kept exact: hysteresis there saves little and would let a few nodes gather links. */
    static final int MIN_HYSTERESIS = 8;

    /**
     * How far (in ranks) a kept link may lie from level offset {@code t}: a quarter of it, none below
     * {@link #MIN_HYSTERESIS}.
     */
    static int tolerance(int t) {
        return t >= MIN_HYSTERESIS ? t / 4 : 0;
    }

    /**
     * The kept distance nearest {@code t} within its tolerance, marked used (set to 0), or 0 if none.
     */
    private static int nearestKept(int[] kept, int t) {
        int tolerance = tolerance(t);
        int best = -1;
        for (int i = 0; i < kept.length; i++) {
            int off = Math.abs(kept[i] - t);
            if (kept[i] > 0 && off <= tolerance && (best < 0 || off < Math.abs(kept[best] - t))) {
                best = i;
            }
        }
        if (best < 0) {
            return 0;
        }
        int d = kept[best];
        kept[best] = 0;
        return d;
    }
}
