package io.ipop.topology;

import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of an overlay in ring order ({@link RingId}, ties by name): rank 0 is the member with the
 * lowest id, ranks wrap around. Immutable, so any number of nodes (the simulation's 10,000) may share one;
 * {@link #with} and {@link #without} copy (O(N)); {@link #rankOf} is a hash lookup (its map built on first use, O(N)).
 */
public final class Ring {
    private static final Ring EMPTY = new Ring(new long[0], new PeerId[0]);
    private static final Comparator<Entry> ORDER = Comparator.<Entry, RingId>comparing(Entry::id).thenComparing(Entry::peer);

    private final long[] ids;
    private final PeerId[] peers;
    /** Rank by member, built on first use (a benign race: every thread builds the same map). */
    private volatile Map<PeerId, Integer> index;

    private record Entry(RingId id, PeerId peer) { }

    private Ring(long[] ids, PeerId[] peers) {
        this.ids = ids;
        this.peers = peers;
    }

    public static Ring empty() {
        return EMPTY;
    }

    /** The ring of {@code members} (duplicates count once); sorts once. */
    public static Ring of(Collection<PeerId> members) {
        List<Entry> entries = new ArrayList<>(members.size());
        for (PeerId p : members.stream().distinct().toList()) {
            entries.add(new Entry(RingId.of(p), p));
        }
        entries.sort(ORDER);
        long[] ids = new long[entries.size()];
        PeerId[] peers = new PeerId[entries.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = entries.get(i).id().bits();
            peers[i] = entries.get(i).peer();
        }
        return new Ring(ids, peers);
    }

    public int size() {
        return ids.length;
    }

    /** The member at {@code rank}, taken modulo the size (so -1 is the last). */
    public PeerId at(int rank) {
        return peers[Math.floorMod(rank, ids.length)];
    }

    public RingId idAt(int rank) {
        return new RingId(ids[Math.floorMod(rank, ids.length)]);
    }

    /** The rank of {@code peer}, or -1 if it is not a member. */
    public int rankOf(PeerId peer) {
        Map<PeerId, Integer> ranks = index;
        if (ranks == null) {
            ranks = new HashMap<>(peers.length * 2);
            for (int i = 0; i < peers.length; i++) {
                ranks.put(peers[i], i);
            }
            index = ranks;
        }
        Integer rank = ranks.get(peer);
        return rank == null ? -1 : rank;
    }

    public boolean contains(PeerId peer) {
        return rankOf(peer) >= 0;
    }

    /** This ring with {@code peer} (itself if already a member). */
    public Ring with(PeerId peer) {
        long id = RingId.of(peer).bits();
        int i = search(id, peer);
        if (i >= 0) {
            return this;
        }
        int at = -i - 1;
        long[] nIds = new long[ids.length + 1];
        PeerId[] nPeers = new PeerId[ids.length + 1];
        System.arraycopy(ids, 0, nIds, 0, at);
        System.arraycopy(peers, 0, nPeers, 0, at);
        nIds[at] = id;
        nPeers[at] = peer;
        System.arraycopy(ids, at, nIds, at + 1, ids.length - at);
        System.arraycopy(peers, at, nPeers, at + 1, ids.length - at);
        return new Ring(nIds, nPeers);
    }

    /** This ring without {@code peer} (itself if not a member). */
    public Ring without(PeerId peer) {
        int at = search(RingId.of(peer).bits(), peer);
        if (at < 0) {
            return this;
        }
        long[] nIds = new long[ids.length - 1];
        PeerId[] nPeers = new PeerId[ids.length - 1];
        System.arraycopy(ids, 0, nIds, 0, at);
        System.arraycopy(peers, 0, nPeers, 0, at);
        System.arraycopy(ids, at + 1, nIds, at, ids.length - at - 1);
        System.arraycopy(peers, at + 1, nPeers, at, ids.length - at - 1);
        return new Ring(nIds, nPeers);
    }

    /** The members in ring order. */
    public List<PeerId> members() {
        return List.of(peers);
    }

    /** Binary search by (unsigned id, name): the index, or -(insertion point) - 1. */
    private int search(long id, PeerId peer) {
        int lo = 0;
        int hi = ids.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(ids[mid], id);
            if (c == 0) {
                c = peers[mid].compareTo(peer);
            }
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    @Override
    public String toString() {
        return "Ring" + Arrays.toString(peers);
    }
}
