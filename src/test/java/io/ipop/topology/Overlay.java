package io.ipop.topology;

import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Test double of a whole overlay: every member's {@link Neighbourhood} on one shared ring, the links that
 * follow (a link exists if either end wants it), and measurements on them: degree and greedy hops on ring-id
 * distance (next hop = the linked peer strictly nearer the destination, nearest first).
 */
final class Overlay {
    private final Topology topology;
    private final Map<PeerId, Neighbourhood> nodes = new HashMap<>();
    private Ring ring = Ring.empty();

    Overlay(Topology topology) {
        this.topology = topology;
    }

    static List<PeerId> names(int n, long seed) {
        Random random = new Random(seed);
        List<PeerId> names = new ArrayList<>(n);
        Set<String> seen = new HashSet<>();
        while (names.size() < n) {
            String name = "node-" + Long.toHexString(random.nextLong() & 0xffffffffffL);
            if (seen.add(name)) {
                names.add(PeerId.of(name));
            }
        }
        return names;
    }

    /** All {@code members} at once, each selecting from scratch (no history). */
    void startAll(List<PeerId> members) {
        ring = Ring.of(members);
        for (PeerId p : members) {
            Neighbourhood h = new Neighbourhood(p, topology);
            h.ring(ring);
            nodes.put(p, h);
        }
        settle();
    }

    /** Refusals over the cap and the new choices they cause, until none is left; returns the rounds it took. */
    int settle() {
        for (int round = 0; round < 100; round++) {
            Map<PeerId, Set<PeerId>> incoming = new HashMap<>();
            nodes.forEach((p, h) -> h.wanted().keySet().forEach(q -> incoming.computeIfAbsent(q, k -> new HashSet<>()).add(p)));
            boolean any = false;
            for (var e : incoming.entrySet()) {
                for (PeerId p : nodes.get(e.getKey()).refusals(e.getValue())) {
                    nodes.get(p).refusedBy(e.getKey());
                    refusals++;
                    any = true;
                }
            }
            if (!any) {
                return round;
            }
        }
        throw new AssertionError("refusals did not settle");
    }

    /** Refusals so far. */
    int refusals;

    /** One member joins; every member hears of it. Returns the links (unordered pairs) added and removed. */
    int join(PeerId p) {
        Set<Set<PeerId>> before = links();
        ring = ring.with(p);
        nodes.put(p, new Neighbourhood(p, topology));
        nodes.values().forEach(h -> h.ring(ring));
        settle();
        return changed(before, links());
    }

    int leave(PeerId p) {
        Set<Set<PeerId>> before = links();
        ring = ring.without(p);
        nodes.remove(p);
        nodes.values().forEach(h -> h.ring(ring));
        settle();
        return changed(before, links());
    }

    private static int changed(Set<Set<PeerId>> before, Set<Set<PeerId>> after) {
        int n = 0;
        for (Set<PeerId> l : before) {
            n += after.contains(l) ? 0 : 1;
        }
        for (Set<PeerId> l : after) {
            n += before.contains(l) ? 0 : 1;
        }
        return n;
    }

    Ring ring() {
        return ring;
    }

    Map<PeerId, Role> wanted(PeerId p) {
        return nodes.get(p).wanted();
    }

    /** The links as unordered pairs. */
    Set<Set<PeerId>> links() {
        Set<Set<PeerId>> links = new HashSet<>();
        nodes.forEach((p, h) -> h.wanted().keySet().forEach(q -> links.add(Set.of(p, q))));
        return links;
    }

    /** Per rank: the ranks of the linked members (either end wanted it). */
    int[][] adjacency() {
        int n = ring.size();
        List<Set<Integer>> adj = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            adj.add(new HashSet<>());
        }
        for (int i = 0; i < n; i++) {
            for (PeerId q : nodes.get(ring.at(i)).wanted().keySet()) {
                int j = ring.rankOf(q);
                adj.get(i).add(j);
                adj.get(j).add(i);
            }
        }
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            out[i] = adj.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    static int maxDegree(int[][] adj) {
        return Arrays.stream(adj).mapToInt(a -> a.length).max().orElse(0);
    }

    static double meanDegree(int[][] adj) {
        return Arrays.stream(adj).mapToInt(a -> a.length).average().orElse(0);
    }

    /** Greedy hops from rank {@code from} to rank {@code to}; -1 if the walk gets stuck. */
    int hops(int[][] adj, int from, int to) {
        RingId dest = ring.idAt(to);
        int at = from;
        int hops = 0;
        while (at != to) {
            int next = -1;
            for (int q : adj[at]) {
                RingId id = ring.idAt(q);
                if (dest.nearer(id, ring.idAt(next < 0 ? at : next))) {
                    next = q;
                }
            }
            if (next < 0 || hops > ring.size()) {
                return -1;
            }
            at = next;
            hops++;
        }
        return hops;
    }

    /** Sorted greedy hop counts of {@code pairs} random ordered pairs. */
    int[] hopSample(int[][] adj, int pairs, long seed) {
        Random random = new Random(seed);
        int n = ring.size();
        int[] out = new int[pairs];
        for (int i = 0; i < pairs; i++) {
            int a = random.nextInt(n);
            int b = (a + 1 + random.nextInt(n - 1)) % n;
            out[i] = hops(adj, a, b);
        }
        Arrays.sort(out);
        return out;
    }

    static int percentile(int[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
