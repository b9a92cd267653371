package io.ipop.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.PeerId;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NextHopTest {

    @Test
    void picksTheLinkedPeerNearestTheDestinationAndStrictlyNearerThanItself() {
        long self = 1000;
        long[] linked = {900, 1100, 5000, -10L};
        assertEquals(2, NextHop.indexToward(self, linked, 4, 4800));   // 5000 is 200 away
        assertEquals(1, NextHop.indexToward(self, linked, 4, 1300));   // 1100 (200) beats 5000 (3700)
        assertEquals(3, NextHop.indexToward(self, linked, 4, -500L));  // across zero: -10 is 490 away
        assertEquals(0, NextHop.indexToward(self, linked, 4, 900));    // the destination itself
    }

    @Test
    void aDeadEndHasNoNextHopNeverOneFartherOrAsFar() {
        long self = 1000;
        long[] linked = {500, 1500};
        assertEquals(NextHop.NONE, NextHop.indexToward(self, linked, 2, 1010)); // we are nearest
        assertEquals(NextHop.NONE, NextHop.indexToward(self, linked, 2, 1000)); // it is us
        assertEquals(NextHop.NONE, NextHop.indexToward(self, new long[0], 0, 7));
        // a peer exactly as near as this node is not nearer: no hop (this is what forbids ping-pong)
        assertEquals(NextHop.NONE, NextHop.indexToward(1000, new long[] {1200}, 1, 1100));
    }

    @Test
    void ofTwoEquallyNearPeersTheEarlierOnTheRingWinsOnEveryNode() {
        assertEquals(0, NextHop.indexToward(0, new long[] {90, 110}, 2, 100));
        assertEquals(0, NextHop.indexToward(0, new long[] {110, 90}, 2, 100)); // the lower index: NextHop.of keeps ring order
    }

    @Test
    void onlyTheFirstCountPeersAreConsidered() {
        assertEquals(NextHop.NONE, NextHop.indexToward(0, new long[] {1000, 99}, 1, 100));
    }

    @Test
    void peerViewSortsByRingPositionAndLeavesItselfOut() {
        PeerId self = PeerId.of("n0");
        List<PeerId> linked = List.of(PeerId.of("n1"), PeerId.of("n2"), PeerId.of("n3"), self);
        NextHop hop = NextHop.of(self, linked);
        assertEquals(3, hop.size());
        for (int i = 1; i < hop.size(); i++) {
            assertTrue(RingId.of(hop.peer(i - 1)).compareTo(RingId.of(hop.peer(i))) < 0);
        }
        for (PeerId p : linked) {
            if (!p.equals(self)) {
                assertEquals(p, hop.toward(RingId.of(p)), "a linked destination is its own next hop");
            }
        }
        assertNull(hop.toward(RingId.of(self)));
        assertNull(NextHop.of(self, List.of()).toward(RingId.of(PeerId.of("x"))));
    }

    /** On a ring where every node links its successor and predecessor, greedy routing reaches everyone. */
    @Test
    void greedyRoutingOnARingWithSuccessorLinksReachesEveryNodeWithoutLoops() {
        int n = 64;
        List<PeerId> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(PeerId.of("node-" + i));
        }
        TreeMap<RingId, PeerId> ring = new TreeMap<>();
        nodes.forEach(p -> ring.put(RingId.of(p), p));
        Map<PeerId, NextHop> views = new HashMap<>();
        for (PeerId p : nodes) {
            RingId at = RingId.of(p);
            RingId succ = ring.higherKey(at) != null ? ring.higherKey(at) : ring.firstKey();
            RingId pred = ring.lowerKey(at) != null ? ring.lowerKey(at) : ring.lastKey();
            views.put(p, NextHop.of(p, List.of(ring.get(succ), ring.get(pred))));
        }
        int maxHops = 0;
        for (PeerId from : nodes) {
            for (PeerId to : nodes) {
                RingId dst = RingId.of(to);
                PeerId at = from;
                Set<PeerId> seen = new HashSet<>();
                int hops = 0;
                while (!at.equals(to)) {
                    assertTrue(seen.add(at), "loop at " + at + " from " + from + " to " + to);
                    PeerId next = views.get(at).toward(dst);
                    assertTrue(next != null, "dead end at " + at + " toward " + to);
                    assertTrue(Long.compareUnsigned(RingId.of(next).distanceTo(dst), RingId.of(at).distanceTo(dst)) < 0);
                    at = next;
                    hops++;
                }
                maxHops = Math.max(maxHops, hops);
            }
        }
        // the shorter way by distance may hold more than half the nodes (positions are random), never all
        assertTrue(maxHops >= n / 2 && maxHops < n, "max hops " + maxHops);
    }

    @Test
    void choosingAHopAllocatesNothing() {
        Random r = new Random(20);
        List<PeerId> linked = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            linked.add(PeerId.of("p" + i));
        }
        NextHop hop = NextHop.of(PeerId.of("self"), linked);
        RingId[] dsts = new RingId[256];
        for (int i = 0; i < dsts.length; i++) {
            dsts[i] = new RingId(r.nextLong());
        }
        long sink = 0;
        for (int i = 0; i < 200_000; i++) {      // warm up (JIT), so the measured loop runs compiled
            sink += hop.indexToward(dsts[i & 255]);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 1_000_000; i++) {
            sink += hop.indexToward(dsts[i & 255]);
        }
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 10_000, "allocated " + allocated + " bytes for 10^6 choices (sink " + sink + ")");
    }
}
