package io.ipop.sim;

import io.ipop.topology.NextHop;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * What the simulation measures on the overlay: whether every pair of live nodes reaches each other, and how
 * many hops greedy routing ({@link NextHop}, the node's own rule) takes between random pairs.
 *
 * <p><b>Every pair reachable</b> ({@link #allPairs}) is decided without routing N² pairs: a link is
 * <em>usable</em> if both ends are alive and both have it up. If (1) every live node has a usable link to the
 * next live node on the ring in both directions, and (2) every link a live node has up is usable, then greedy
 * routing from any live node reaches any other: at every node the ring neighbour toward the destination is
 * strictly nearer to it (so a strictly nearer next hop always exists, and {@code NextHop} never dead-ends), and
 * whichever hop it picks is alive and linked back. Each hop lowers the distance left, so no route loops.
 * (1) and (2) are also what a real node needs for its frames not to die at a dead or half-open link.
 */
final class Reach {
    /** {@code Forward.HOP_LIMIT}: a route longer than this fails, as a FORWARD datagram would. */
    static final int HOP_LIMIT = 32;

    private final SimNode[] nodes;
    /** Node indexes in ring order. */
    private final int[] ringOrder;

    Reach(SimNode[] nodes) {
        this.nodes = nodes;
        Integer[] order = new Integer[nodes.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compareUnsigned(nodes[a].ringId, nodes[b].ringId));
        ringOrder = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    /** True if every pair of live nodes reaches each other by greedy routing (see the class comment). */
    boolean allPairs() {
        int first = -1;
        int prev = -1;
        for (int k : ringOrder) {
            if (!nodes[k].alive) {
                continue;
            }
            if (prev >= 0 && !usable(prev, k)) {
                return false;
            }
            if (first < 0) {
                first = k;
            }
            prev = k;
        }
        if (first != prev && !usable(prev, first)) {
            return false;
        }
        for (SimNode n : nodes) {
            if (n.alive) {
                for (int i = 0; i < n.upCount; i++) {
                    if (!usable(n.index, n.upIndexes[i])) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private boolean usable(int a, int b) {
        return nodes[a].alive && nodes[b].alive && nodes[a].routesTo(b) && nodes[b].routesTo(a);
    }

    /** Hops of greedy routes between {@code pairs} random pairs of distinct live nodes; -1 for a route that fails. */
    int[] hops(int pairs, SplittableRandom random) {
        int[] live = Arrays.stream(nodes).filter(n -> n.alive).mapToInt(n -> n.index).toArray();
        int[] out = new int[pairs];
        for (int p = 0; p < pairs; p++) {
            int s = live[random.nextInt(live.length)];
            int t;
            do {
                t = live[random.nextInt(live.length)];
            } while (t == s && live.length > 1);
            out[p] = route(s, t);
        }
        return out;
    }

    /** Hops from {@code s} to {@code t} by greedy routing over up links; -1 at a dead end, a dead hop or the hop limit. */
    int route(int s, int t) {
        int at = s;
        long dest = nodes[t].ringId;
        for (int hops = 0; hops <= HOP_LIMIT; hops++) {
            if (at == t) {
                return hops;
            }
            SimNode n = nodes[at];
            int k = NextHop.indexToward(n.ringId, n.upIds, n.upCount, dest);
            if (k == NextHop.NONE || !nodes[n.upIndexes[k]].alive) {
                return -1;
            }
            at = n.upIndexes[k];
        }
        return -1;
    }
}
