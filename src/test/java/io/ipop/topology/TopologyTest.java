package io.ipop.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.PeerId;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The structured selection measured on random names: degree (links per node, either end wanting a link) and
 * greedy hops on ring-id distance, against issue 20's targets: N = 10,000: links_max <= 2·ceil(log2 N) + 8 = 36,
 * hops_p99 <= ceil(log2 N) = 14; N = 32: links <= 2·ceil(log2 32) + 4 = 14.
 */
class TopologyTest {
    private static final Topology DEFAULT = new Topology(TopologySettings.DEFAULTS);

    private static int log2(int n) {
        return 32 - Integer.numberOfLeadingZeros(n - 1);
    }

    private static void report(String what, int n, int[][] adj, int[] hops) {
        System.out.printf("%s nodes=%d links_max=%d links_mean=%.1f hops_p50=%d hops_p99=%d%n", what, n,
                Overlay.maxDegree(adj), Overlay.meanDegree(adj), Overlay.percentile(hops, 0.5), Overlay.percentile(hops, 0.99));
    }

    private static void checkTargets(int n, int maxLinks, long seed) {
        Overlay overlay = new Overlay(DEFAULT);
        overlay.startAll(Overlay.names(n, seed));
        int[][] adj = overlay.adjacency();
        int[] hops = overlay.hopSample(adj, Math.min(10_000, n * (n - 1)), seed);
        report("fresh", n, adj, hops);
        assertTrue(hops[0] >= 1, "every greedy walk arrives");
        assertTrue(Overlay.maxDegree(adj) <= maxLinks, "links_max " + Overlay.maxDegree(adj) + " > " + maxLinks);
        assertTrue(Overlay.percentile(hops, 0.99) <= log2(n), "hops_p99 " + Overlay.percentile(hops, 0.99) + " > " + log2(n));
    }

    @Test
    void thirtyTwoNodesKeepAtMostFourteenLinks() {
        checkTargets(32, 2 * log2(32) + 4, 32);
    }

    @Test
    void thousandNodes() {
        checkTargets(1000, 2 * log2(1000) + 8, 1000);
    }

    @Test
    void tenThousandNodesMeetTheIssuesTargets() {
        long start = System.nanoTime();
        checkTargets(10_000, 2 * log2(10_000) + 8, 10_000);
        System.out.printf("10,000 nodes: selection, links and 10,000 walks in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void degreeStaysBoundedWhileAnOverlayGrowsOneJoinAtATime() {
        // every member keeps its history (hysteresis) through 600 joins and 100 leaves
        List<PeerId> names = Overlay.names(700, 7);
        Overlay overlay = new Overlay(DEFAULT);
        overlay.startAll(names.subList(0, 17));
        for (PeerId p : names.subList(17, 700)) {
            overlay.join(p);
        }
        for (int i = 0; i < 100; i++) {
            overlay.leave(names.get(i * 7));
        }
        int[][] adj = overlay.adjacency();
        int[] hops = overlay.hopSample(adj, 10_000, 7);
        report("grown", overlay.ring().size(), adj, hops);
        System.out.println("refusals while growing: " + overlay.refusals);
        int n = overlay.ring().size();
        assertTrue(Overlay.maxDegree(adj) <= 2 * log2(n) + 8, "links_max " + Overlay.maxDegree(adj));
        assertTrue(hops[0] >= 1 && Overlay.percentile(hops, 0.99) <= log2(n), "hops_p99 " + Overlay.percentile(hops, 0.99));
    }

    @Test
    void oneJoinOrLeaveChangesOnlyAFewLinks() {
        List<PeerId> names = Overlay.names(1100, 11);
        Overlay overlay = new Overlay(DEFAULT);
        overlay.startAll(names.subList(0, 1000));
        int total = overlay.links().size();
        int worst = 0;
        long sum = 0;
        for (int i = 0; i < 50; i++) {
            int joined = overlay.join(names.get(1000 + i));
            int left = overlay.leave(names.get(i * 13));
            worst = Math.max(worst, Math.max(joined, left));
            sum += joined + left;
        }
        System.out.printf("join/leave at N=1000: %d links in all, changed per event mean=%.1f max=%d%n", total, sum / 100.0, worst);
        // the newcomer's own links (up to 2·successors + 2·L) and as many replaced ones, never a reshuffle
        assertTrue(worst <= 4 * log2(1000) + 8, "one event changed " + worst + " links");
    }

    @Test
    void successorsCloseTheRingAndLongLinksFollowRankOffsets() {
        List<PeerId> names = Overlay.names(64, 3);
        Ring ring = Ring.of(names);
        PeerId self = ring.at(10);
        Map<PeerId, Role> wanted = DEFAULT.select(ring, self, Map.of());
        assertEquals(Role.SUCCESSOR, wanted.get(ring.at(11)));
        assertEquals(Role.SUCCESSOR, wanted.get(ring.at(12)));
        assertEquals(Role.SUCCESSOR, wanted.get(ring.at(9)));
        assertEquals(Role.SUCCESSOR, wanted.get(ring.at(8)));
        // N = 64, L = 6: offsets 32, 16, 8, 4 (2 and 1 are successors)
        for (int t : new int[] {32, 16, 8, 4}) {
            assertEquals(Role.LONG_DISTANCE, wanted.get(ring.at(10 + t)), "offset " + t);
        }
        assertEquals(8, wanted.size());
    }

    @Test
    void anEarlierLinkWithinToleranceIsKeptAndOneOutsideIsReplaced() {
        Ring ring = Ring.of(Overlay.names(64, 3));
        PeerId self = ring.at(0);
        Map<PeerId, Role> kept = DEFAULT.select(ring, self, Map.of(ring.at(36), Role.LONG_DISTANCE));
        assertEquals(Role.LONG_DISTANCE, kept.get(ring.at(36)), "32 + 4: within 32 / 4");
        assertEquals(null, kept.get(ring.at(32)));
        Map<PeerId, Role> replaced = DEFAULT.select(ring, self, Map.of(ring.at(41), Role.LONG_DISTANCE));
        assertEquals(null, replaced.get(ring.at(41)), "32 + 9: outside");
        assertEquals(Role.LONG_DISTANCE, replaced.get(ring.at(32)));
    }

    @Test
    void autoModeIsAFullMeshUpToFullMeshMax() {
        Ring sixteen = Ring.of(Overlay.names(16, 5));
        Map<PeerId, Role> mesh = DEFAULT.select(sixteen, sixteen.at(0), Map.of());
        assertEquals(15, mesh.size());
        assertTrue(mesh.values().stream().allMatch(r -> r == Role.FULL_MESH));
        Ring seventeen = Ring.of(Overlay.names(17, 5));
        Map<PeerId, Role> ring = DEFAULT.select(seventeen, seventeen.at(0), Map.of());
        assertTrue(ring.size() < 16 && !ring.containsValue(Role.FULL_MESH), ring.toString());
        Topology structured = new Topology(TopologySettings.structured(2, OptionalInt.of(0)));
        assertEquals(4, structured.select(sixteen, sixteen.at(3), Map.of()).size(), "successors only");
        assertEquals(2, structured.select(Ring.of(Overlay.names(3, 5)), PeerId.of(Overlay.names(3, 5).get(0).name()), Map.of()).size());
    }
}
