package io.ipop.topology;

import io.ipop.wire.PeerId;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Greedy routing on the ring: toward a node this node has no direct link to, the next hop is the linked
 * peer nearest the destination ({@link RingId#distanceTo}, the shorter way round) — but only one strictly
 * nearer than this node itself. If no linked peer is nearer, there is no next hop (a dead end, which the
 * caller counts): a datagram is never sent back the way it came, so a route cannot loop while every node
 * picks a hop strictly nearer than itself (each hop lowers the distance left, which cannot fall forever).
 * The hop limit in the FORWARD header is the second guard, for nodes whose views of the ring differ
 * during churn.
 *
 * <p>Immutable and thread-safe: built once per set of up links (off the hot path), then {@link #toward}
 * is a loop over a {@code long[]} with no allocation. Peers are held sorted by ring position, so of two
 * peers equally near the destination (one on each side) the one earlier on the ring wins, on every node
 * alike.
 */
public final class NextHop {
    /** What {@link #indexToward} returns when no linked peer is strictly nearer than this node. */
    public static final int NONE = -1;

    private final long self;
    private final long[] ids;
    private final PeerId[] peers;

    private NextHop(long self, long[] ids, PeerId[] peers) {
        this.self = self;
        this.ids = ids;
        this.peers = peers;
    }

    /** The routing view of {@code self} whose direct links go to {@code linked} (itself left out if named). */
    public static NextHop of(PeerId self, Collection<PeerId> linked) {
        Objects.requireNonNull(self, "self");
        RingId me = RingId.of(self);
        Map<RingId, PeerId> byPosition = new TreeMap<>();
        for (PeerId p : linked) {
            if (!p.equals(self)) {
                byPosition.put(RingId.of(p), p);
            }
        }
        long[] ids = new long[byPosition.size()];
        PeerId[] peers = new PeerId[byPosition.size()];
        int i = 0;
        for (Map.Entry<RingId, PeerId> e : byPosition.entrySet()) {
            ids[i] = e.getKey().bits();
            peers[i++] = e.getValue();
        }
        return new NextHop(me.bits(), ids, peers);
    }

    /**
     * The index (into {@link #peer}) of the linked peer to send toward {@code destination}, or
     * {@link #NONE}. Allocation-free.
     */
    public int indexToward(RingId destination) {
        return indexToward(self, ids, ids.length, destination.bits());
    }

    /** {@link #indexToward(RingId)} on a bare ring position. */
    public int indexToward(long destination) {
        return indexToward(self, ids, ids.length, destination);
    }

    /** The linked peer to send toward {@code destination}, or {@code null} at a dead end. */
    public PeerId toward(RingId destination) {
        int i = indexToward(destination);
        return i == NONE ? null : peers[i];
    }

    /** The i-th linked peer, in ring order. */
    public PeerId peer(int i) {
        return peers[i];
    }

    public int size() {
        return ids.length;
    }

    /**
     * The core rule on bare ring positions, for callers that keep their own arrays (the simulation):
     * of {@code linked[0..count)}, the index of the one nearest {@code destination} and strictly nearer
     * than {@code self}; ties go to the lower index. {@link #NONE} if there is none. Allocation-free.
     */
    public static int indexToward(long self, long[] linked, int count, long destination) {
        long best = distance(self, destination);
        int at = NONE;
        for (int i = 0; i < count; i++) {
            long d = distance(linked[i], destination);
            if (Long.compareUnsigned(d, best) < 0) {
                best = d;
                at = i;
            }
        }
        return at;
    }

    /** {@link RingId#distanceTo} on bare positions: the shorter way round, unsigned. */
    static long distance(long a, long b) {
        long cw = b - a;
        long ccw = a - b;
        return Long.compareUnsigned(cw, ccw) <= 0 ? cw : ccw;
    }

    @Override
    public String toString() {
        return "NextHop" + Arrays.toString(peers);
    }
}
