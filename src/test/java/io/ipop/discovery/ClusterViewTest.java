package io.ipop.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.peer.Discovery;
import io.ipop.peer.PeerDirectory;
import io.ipop.peer.PeerDirectory.PeerFound;
import io.ipop.peer.PeerDirectory.PeerLost;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
    private final RecordCounters counters = new RecordCounters();
    private final ClusterView view = new ClusterView("a", 1024, counters);
    private final Map<String, PeerRecord> records = new HashMap<>();

    private static PeerRecord record(String name, int host, String instance, long uid) {
        return new PeerRecord(name, instance, OverlayAddress.parse("10.77.0." + host + "/24", true),
                MacAddress.parse("02:00:00:00:00:0" + host), List.of(Endpoint.parse("192.0.2." + host + ":5800")),
                List.of("blue"), null, member(host, uid), null);
    }

    private static String member(int host, long uid) {
        return "pekko://ipop@192.0.2." + host + ":17355#" + uid;
    }

    private void publish(PeerRecord r) {
        records.put(r.name(), r);
        view.records(records);
    }

    private static PeerFound found(String name, int host) {
        // the record's overlay address and MAC travel with the peer (helper M opens overlay sessions from them)
        return new PeerFound(PeerId.of(name), Endpoint.parse("192.0.2." + host + ":5800"), Discovery.CLUSTER,
                OverlayAddress.parse("10.77.0." + host + "/24", true), MacAddress.parse("02:00:00:00:00:0" + host));
    }

    @Test
    void aPeerIsFoundOnceItsRecordAndItsUpMemberAreBothKnownInEitherOrder() {
        publish(record("b", 2, "i1", 1));
        assertEquals(List.of(), view.changes(), "record without an up member");
        view.memberUp(member(2, 1));
        assertEquals(List.of(found("b", 2)), view.changes());
        assertEquals(List.of(), view.changes(), "nothing new");

        view.memberUp(member(3, 7));
        assertEquals(List.of(), view.changes(), "member without a record");
        publish(record("c", 3, "i1", 7));
        assertEquals(List.of(found("c", 3)), view.changes());
    }

    @Test
    void thisNodesOwnRecordIsNoPeer() {
        view.memberUp(member(1, 1));
        publish(record("a", 1, "i1", 1));
        assertEquals(List.of(), view.changes());
    }

    @Test
    void aMemberThatGoesTakesItsPeerAlongButAStaleRecordAloneDoesNotBringItBack() {
        view.memberUp(member(2, 1));
        publish(record("b", 2, "i1", 1));
        view.changes();
        view.memberGone(member(2, 1));
        assertEquals(List.<PeerDirectory.Command>of(new PeerLost(PeerId.of("b"), Discovery.CLUSTER, "left the cluster", "i1")), view.changes());
        view.records(records);                   // the record is still gossiped
        assertEquals(List.of(), view.changes());
        assertEquals(List.of("b"), view.recordsOf(member(2, 1)));
    }

    @Test
    void aRestartWithANewMemberIsLostThenFoundAgain() {
        view.memberUp(member(2, 1));
        publish(record("b", 2, "i1", 1));
        view.changes();
        view.memberUp(member(2, 2));             // the new incarnation is up before the old record is replaced
        publish(record("b", 2, "i2", 2));
        assertEquals(List.of(new PeerLost(PeerId.of("b"), Discovery.CLUSTER, "restarted (new cluster member)", "i1"), found("b", 2)), view.changes());
        assertEquals(List.of("b"), List.copyOf(view.announced()));
    }

    @Test
    void aDeletedOrRefusedRecordDoesNotTakeAwayAPeerWhoseMemberIsUp() {
        view.memberUp(member(2, 1));
        publish(record("b", 2, "i1", 1));
        view.changes();
        records.remove("b");                     // another member deleted b's record
        view.records(records);
        assertEquals(List.of(), view.changes(), "deleted while b's member is up");
        assertEquals(List.of("b"), List.copyOf(view.announced()));
        view.memberGone(member(2, 1));
        assertEquals(List.<PeerDirectory.Command>of(new PeerLost(PeerId.of("b"), Discovery.CLUSTER, "left the cluster", "i1")), view.changes(),
                "the member's own departure still takes it away");
    }

    @Test
    void aRecordOfAMemberThatIsNotUpNeverReplacesAFollowedOne() {
        view.memberUp(member(2, 1));
        publish(record("b", 2, "i1", 1));
        view.changes();
        publish(record("b", 2, "i0", 0));        // an old incarnation's record, replayed
        assertEquals(List.of(), view.changes());
    }

    @Test
    void peersBeyondTheCapAreRefusedAndCountedOnceFollowedPeersKeepTheirPlace() {
        ClusterView capped = new ClusterView("a", 2, counters);
        Map<String, PeerRecord> all = new HashMap<>();
        for (int h = 2; h <= 5; h++) {
            capped.memberUp(member(h, 1));
        }
        all.put("d", record("d", 4, "i1", 1));
        capped.records(all);
        assertEquals(List.of(found("d", 4)), capped.changes());
        all.put("b", record("b", 2, "i1", 1));
        all.put("c", record("c", 3, "i1", 1));
        all.put("e", record("e", 5, "i1", 1));
        capped.records(all);
        assertEquals(List.of(found("b", 2)), capped.changes(), "one place left, first name wins");
        assertEquals(2, counters.refused(RecordRefusal.OVER_CAP), "c and e");
        capped.records(all);
        assertEquals(List.of(), capped.changes());
        assertEquals(2, counters.refused(RecordRefusal.OVER_CAP), "gossip repeating them is not counted again");
        assertEquals(2, counters.followed());
        capped.memberGone(member(2, 1));
        assertEquals(List.of(new PeerLost(PeerId.of("b"), Discovery.CLUSTER, "left the cluster", "i1"), found("c", 3)), capped.changes(),
                "a place freed is taken by the next");
    }

    @Test
    void rememberedPeersAreFoundAtOnceAndKeptUntilThisNodeKnowsTheMembership() {
        view.remember(List.of(record("b", 2, "i1", 1), record("c", 3, "i1", 1), record("a", 1, "i0", 0)));
        assertEquals(List.of("b", "c"), List.copyOf(view.announced()), "never this node itself");
        assertEquals(2, counters.followed());
        assertEquals(List.of(), view.changes(), "no member is up yet: this node has not joined");
        assertTrue(view.unsettled());

        view.memberUp(member(2, 1));             // b is the member it was; c's member is gone
        publish(record("b", 2, "i1", 1));
        assertEquals(List.of(), view.changes());
        view.settle();
        assertEquals(List.<PeerDirectory.Command>of(new PeerLost(PeerId.of("c"), Discovery.CLUSTER, "left the cluster", "i1")),
                view.changes(), "once settled, a remembered peer that is no member goes");
        assertEquals(List.of(record("b", 2, "i1", 1)), view.announcedRecords());
    }

    @Test
    void aRememberedPeerThatRestartedMeanwhileIsLostWithItsOldInstanceAndFoundAgain() {
        view.remember(List.of(record("b", 2, "i1", 1)));
        view.memberUp(member(2, 2));
        publish(record("b", 2, "i2", 2));
        assertEquals(List.of(new PeerLost(PeerId.of("b"), Discovery.CLUSTER, "restarted (new cluster member)", "i1"),
                found("b", 2)), view.changes());
        view.settle();
        assertEquals(List.of(), view.changes());
    }
}
