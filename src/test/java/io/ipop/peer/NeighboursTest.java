package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.topology.Ring;
import io.ipop.topology.Topology;
import io.ipop.topology.TopologySettings;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which members the directory links, retires and refuses, without actors: the {@link Neighbours.Plan}s. */
class NeighboursTest {
    private static final PeerId SELF = PeerId.of("n00");
    private static final Topology STRUCTURED = new Topology(TopologySettings.structured(2, OptionalInt.empty()));

    private final AtomicLong clock = new AtomicLong();
    private final Set<PeerId> members = new HashSet<>();
    private final Set<PeerId> linked = new HashSet<>();
    private Neighbours neighbours;

    private static PeerDirectory.PeerFound cluster(PeerId p) {
        return new PeerDirectory.PeerFound(p, Endpoint.parse("192.0.2.1:5800"), Discovery.CLUSTER);
    }

    private static List<PeerId> names(int n) {
        return IntStream.range(1, n).mapToObj(i -> PeerId.of(String.format("n%02d", i))).toList();
    }

    /** Applies a plan as the directory would, remembering what is linked. */
    private Neighbours.Plan apply(Neighbours.Plan plan) {
        plan.unlink().keySet().forEach(linked::remove);
        plan.link().forEach(f -> linked.add(f.name()));
        return plan;
    }

    /** Applies a plan and brings its new links up, and what that retires. */
    private void applyAndUp(Neighbours.Plan plan) {
        apply(plan);
        for (PeerDirectory.PeerFound f : plan.link()) {
            applyAndUp(neighbours.linkUp(f.name()));
        }
    }

    @BeforeEach
    void thirtyMembers() {
        neighbours = new Neighbours(SELF, STRUCTURED, members, clock::get);
        names(30).forEach(p -> applyAndUp(neighbours.found(cluster(p))));
    }

    @Test
    void onlyTheMembersTheTopologyWantsAreLinkedAndEveryMemberIsKnown() {
        assertEquals(29, members.size());
        Ring ring = Ring.of(concat(names(30), SELF));
        int r = ring.rankOf(SELF);
        Set<PeerId> successors = Set.of(ring.at(r - 2), ring.at(r - 1), ring.at(r + 1), ring.at(r + 2));
        assertTrue(linked.containsAll(successors));
        // links grown one member at a time: what is left is exactly what the topology wants, far fewer than 29
        assertTrue(linked.size() < 29 && linked.size() <= 2 * 2 + 5, linked.toString());
        for (PeerId p : linked) {
            assertEquals(successors.contains(p) ? "successor" : "long-distance", neighbours.role(p), p.toString());
        }
        long kept = names(30).stream().filter(p -> neighbours.role(p) != null).count();
        assertEquals(linked.size(), kept, "every member not linked has no role");
    }

    @Test
    void aStaticPeerIsAlwaysLinked() {
        PeerId unwanted = names(30).stream().filter(p -> !linked.contains(p)).findFirst().orElseThrow();
        apply(neighbours.found(new PeerDirectory.PeerFound(unwanted, Endpoint.parse("192.0.2.9:5800"), Discovery.STATIC)));
        assertTrue(linked.contains(unwanted));
        assertEquals("static", neighbours.role(unwanted));
        apply(neighbours.lost(unwanted, Discovery.CLUSTER));
        assertTrue(linked.contains(unwanted), "still in ipop.peers");
    }

    @Test
    void aMemberThatAsksGetsALinkAStrangerDoesNot() {
        PeerId unwanted = names(30).stream().filter(p -> !linked.contains(p)).findFirst().orElseThrow();
        apply(neighbours.requested(unwanted));
        assertTrue(linked.contains(unwanted));
        assertEquals("requested", neighbours.role(unwanted));
        assertNull(neighbours.requested(PeerId.of("stranger")));
        neighbours.linkUp(unwanted);
        Neighbours.Plan down = apply(neighbours.linkDown(unwanted));
        assertFalse(linked.contains(unwanted), "the asking end closed it: " + down);
    }

    @Test
    void aRequestedLinkThatNeverComesUpGoesAfterTheGracePeriod() {
        PeerId unwanted = names(30).stream().filter(p -> !linked.contains(p)).findFirst().orElseThrow();
        assertTrue(apply(neighbours.requested(unwanted)).retireLater());
        assertTrue(linked.contains(unwanted));
        clock.addAndGet(Neighbours.GRACE.toNanos());
        apply(neighbours.retireDue());
        assertFalse(linked.contains(unwanted));
    }

    @Test
    void aLinkNoLongerWantedIsClosedOnlyOnceItsReplacementIsUp() {
        // a successor leaves: the next member along becomes one (the ring closes), and the member that was at
        // the far end of the successors may no longer be wanted: it is retired once the replacement is up
        List<PeerId> ring = Ring.of(concat(names(30), SELF)).members();
        int r = ring.indexOf(SELF);
        PeerId successor = ring.get((r + 1) % 30);
        Neighbours.Plan plan = apply(neighbours.lost(successor, Discovery.CLUSTER));
        linked.remove(successor);                 // the directory closes the lost member's link itself
        PeerId next = ring.get((r + 3) % 30);
        assertTrue(plan.link().stream().anyMatch(f -> f.name().equals(next)) || linked.contains(next), "the ring closes");
        assertEquals("successor", neighbours.role(next));
        Set<PeerId> retiring = linked.stream().filter(p -> "retiring".equals(neighbours.role(p))).collect(Collectors.toSet());
        assertTrue(plan.unlink().isEmpty(), "nothing closed before its replacement is up: " + plan);
        Map<PeerId, String> closed = new java.util.HashMap<>();
        for (PeerDirectory.PeerFound f : plan.link()) {
            closed.putAll(apply(neighbours.linkUp(f.name())).unlink());
        }
        assertEquals(retiring, closed.keySet());
        closed.values().forEach(why -> assertEquals(Neighbours.RETIRED, why));
        assertTrue(linked.stream().allMatch(p -> Set.of("successor", "long-distance").contains(neighbours.role(p))));
    }

    @Test
    void aJoinNextToThisNodeRetiresTheSuccessorItPushesAwayOnceItIsUp() {
        List<PeerId> ring = Ring.of(concat(names(30), SELF)).members();
        int r = ring.indexOf(SELF);
        PeerId pushed = ring.get((r + 2) % 30);
        // a newcomer between this node and its first successor: the second successor becomes the third
        PeerId newcomer = IntStream.range(0, 100_000).mapToObj(i -> PeerId.of("x" + i))
                .filter(p -> Ring.of(concat(ring, p)).rankOf(p) == Ring.of(concat(ring, p)).rankOf(SELF) + 1)
                .findFirst().orElseThrow();
        Neighbours.Plan plan = apply(neighbours.found(cluster(newcomer)));
        assertTrue(plan.link().stream().anyMatch(f -> f.name().equals(newcomer)), plan.toString());
        assertTrue(plan.unlink().isEmpty() && plan.retireLater(), plan.toString());
        assertEquals("retiring", neighbours.role(pushed), "kept until the newcomer's link is up");
        Map<PeerId, String> closed = new java.util.HashMap<>();
        for (int i = 0; i < plan.link().size(); i++) {
            Neighbours.Plan up = apply(neighbours.linkUp(plan.link().get(i).name()));
            if (i < plan.link().size() - 1) {
                assertTrue(up.unlink().isEmpty(), "not before every new link is up: " + up);
            }
            closed.putAll(up.unlink());
        }
        assertEquals(Neighbours.RETIRED, closed.get(pushed), closed.toString());
        assertNull(neighbours.role(pushed));
    }

    @Test
    void aCloseFromAPeerThisNodeDoesNotWantStopsTheSessionAtOnce() {
        List<PeerId> ring = Ring.of(concat(names(30), SELF)).members();
        PeerId asker = names(30).stream().filter(p -> !linked.contains(p) && STRUCTURED.mayWant(Ring.of(ring), p, SELF))
                .findFirst().orElseThrow();
        apply(neighbours.requested(asker));
        neighbours.linkUp(asker);
        Neighbours.Plan plan = apply(neighbours.closedByPeer(asker, Neighbours.RETIRED));
        assertEquals(Set.of(asker), plan.unlink().keySet(), "no con_req of ours follows the peer's close");
        PeerId successor = ring.get((ring.indexOf(SELF) + 1) % 30);
        assertNull(neighbours.closedByPeer(successor, Neighbours.RETIRED), "wanted here: the session reconnects");
    }

    @Test
    void aRefusedLongLinkIsReplacedAndItsSessionStops() {
        linked.forEach(neighbours::linkUp);
        // the longest one (offset 15 of 30): it has a tolerance, so another member can stand for it
        Ring ring = Ring.of(concat(names(30), SELF));
        int r = ring.rankOf(SELF);
        PeerId longLink = linked.stream().filter(p -> "long-distance".equals(neighbours.role(p)))
                .max(java.util.Comparator.comparingInt(p -> Math.floorMod(ring.rankOf(p) - r, 30))).orElseThrow();
        Neighbours.Plan plan = apply(neighbours.closedByPeer(longLink, Neighbours.REFUSED));
        assertTrue(plan.unlink().containsKey(longLink), plan.toString());
        assertFalse(plan.link().isEmpty(), "another member for that level: " + plan);
        assertNull(neighbours.role(longLink));
    }

    @Test
    void aRequestFromAMemberWhoseTopologyCannotWantThisNodeIsRefused() {
        Ring ring = Ring.of(concat(names(30), SELF));
        PeerId never = names(30).stream().filter(p -> !STRUCTURED.mayWant(ring, p, SELF)).findFirst().orElseThrow();
        assertNull(neighbours.requested(never));
    }

    private static List<PeerId> concat(List<PeerId> list, PeerId one) {
        List<PeerId> all = new java.util.ArrayList<>(list);
        all.add(one);
        return all;
    }

    @Test
    void beyondTheInboundCapAskingMembersAreRefusedAndMayNotAskAgain() {
        Ring ring = Ring.of(concat(names(30), SELF));
        List<PeerId> asking = names(30).stream().filter(p -> !linked.contains(p) && STRUCTURED.mayWant(ring, p, SELF)).toList();
        assertTrue(asking.size() > STRUCTURED.inboundCap(30), asking.toString());
        Map<PeerId, String> refused = new java.util.HashMap<>();
        for (PeerId p : asking) {
            apply(neighbours.requested(p));
            refused.putAll(apply(neighbours.linkUp(p)).unlink());
        }
        int cap = STRUCTURED.inboundCap(30);
        assertEquals(asking.size() - cap, refused.size(), "cap " + cap + " of " + asking.size());
        refused.values().forEach(why -> assertEquals(Neighbours.REFUSED, why));
        PeerId again = refused.keySet().iterator().next();
        assertNull(neighbours.requested(again));
    }
}
