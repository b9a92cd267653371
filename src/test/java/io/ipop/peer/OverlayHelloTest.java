package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.dataplane.OverlayPaths;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.PeerId;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A con_req over the overlay from a node without a session here opens an overlay session only for a member. */
class OverlayHelloTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void onlyAMembersConReqOverTheOverlayOpensASessionWithinOneBudget() {
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        OverlayMembers members = new OverlayMembers();
        DataplaneCounters counters = new DataplaneCounters();
        DirectoryControlSink sink = new DirectoryControlSink(new Links(), directory.getRef(), new ControlBudget(2, 2), counters,
                () -> 0L, io.ipop.dataplane.ControlSink.REFUSE, members);
        Endpoint fromX = OverlayPaths.endpointOf(PeerId.of("x"));

        assertFalse(sink.control(fromX, conReq("x")), "x is no member: an unknown peer");
        directory.expectNoMessage(Duration.ofMillis(100));

        members.found(PeerId.of("x"), null, null);
        assertFalse(sink.control(fromX, new ControlMessage.Ping("x", 1, 1)), "only a con_req opens one");
        assertFalse(sink.control(Endpoint.parse("192.0.2.9:5800"), conReq("x")), "not over the overlay: not this way");
        assertTrue(sink.control(fromX, conReq("x")));
        PeerDirectory.OpenOverlay open = assertInstanceOf(PeerDirectory.OpenOverlay.class, directory.receiveMessage());
        assertEquals(PeerId.of("x"), open.peer());
        assertEquals(fromX, open.from());

        assertTrue(sink.control(fromX, conReq("x")));
        assertTrue(sink.control(fromX, conReq("x")));                    // over the budget of 2
        directory.receiveMessage();
        directory.expectNoMessage(Duration.ofMillis(100));
        assertEquals(1, counters.drops(DataDrop.CONTROL_OVER_BUDGET));
    }

    private static ControlMessage.ConReq conReq(String from) {
        return new ControlMessage.ConReq(ControlMessage.PROTOCOL_VERSION, from, "instance-" + from, "10.77.0.9/24",
                "02:00:00:00:00:09", List.of("blue"), "n-" + System.nanoTime(), 77, System.currentTimeMillis(), null, null,
                null, "b", null);
    }
}
