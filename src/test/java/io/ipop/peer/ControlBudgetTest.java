package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.dataplane.DataplaneCounters;
import io.ipop.underlay.Endpoint;
import io.ipop.wire.ControlMessage;
import io.ipop.wire.PeerId;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The per-peer budget of control datagrams, and the sink that drops and counts what is over it. */
class ControlBudgetTest {
    private static final long SECOND = 1_000_000_000L;
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void aBurstPassesThenTheRateRefillsIt() {
        ControlBudget budget = new ControlBudget(10, 20);
        for (int i = 0; i < 20; i++) {
            assertTrue(budget.take("b", false, 0), "burst datagram " + i);
        }
        assertFalse(budget.take("b", false, 0));
        assertTrue(budget.take("c", false, 0), "each peer has its own bucket");
        assertTrue(budget.take("b", true, 0), "and the peer's own address has its own");
        assertTrue(budget.take("b", false, SECOND / 10), "0.1 s refills one");
        assertFalse(budget.take("b", false, SECOND / 10));
        for (int i = 0; i < 20; i++) {
            assertTrue(budget.take("b", false, 100 * SECOND), "refilled to the burst, not beyond: " + i);
        }
        assertFalse(budget.take("b", false, 100 * SECOND));
    }

    @Test
    void aClockThatStepsBackNeitherThrowsNorRefills() {
        ControlBudget budget = new ControlBudget(10, 1);
        assertTrue(budget.take("b", false, 5 * SECOND));
        assertFalse(budget.take("b", false, SECOND));
        assertTrue(budget.take("b", false, 5 * SECOND + SECOND / 10));
    }

    @Test
    void aFloodFromElsewhereLeavesThePeersOwnAddressItsBudget() throws Exception {
        Links links = new Links();
        Endpoint peer = Endpoint.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 2}), 5800);
        Endpoint attacker = Endpoint.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 9}), 4000);
        links.add(PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 77, peer));
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        DataplaneCounters counters = new DataplaneCounters();
        DirectoryControlSink sink = new DirectoryControlSink(links, directory.getRef(), new ControlBudget(5, 3), counters, () -> 0);

        for (int i = 0; i < 100; i++) {
            sink.control(attacker, new ControlMessage.Ping("b", i, 0));
        }
        assertTrue(sink.control(peer, new ControlMessage.Ping("b", 100, 0)));

        assertEquals(97, counters.drops(DataDrop.CONTROL_OVER_BUDGET));
        assertEquals(1, links.get(PeerId.of("b")).counters().controlIn(), "control_in: only what came from the link's endpoint");
        for (int i = 0; i < 4; i++) {
            directory.expectMessageClass(PeerDirectory.ControlReceived.class);
        }
        directory.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void theSinkHandsOverWithinTheBudgetAndCountsTheRest() throws Exception {
        Links links = new Links();
        Endpoint from = Endpoint.of(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 9}), 4000);
        links.add(PeerLink.connecting(PeerId.of("b"), Discovery.STATIC, 77, from));
        TestProbe<PeerDirectory.Command> directory = KIT.createTestProbe();
        DataplaneCounters counters = new DataplaneCounters();
        AtomicLong now = new AtomicLong();
        DirectoryControlSink sink = new DirectoryControlSink(links, directory.getRef(), new ControlBudget(5, 3), counters, now::get);

        for (int i = 0; i < 3; i++) {
            assertTrue(sink.control(from, new ControlMessage.Ping("b", i, 0)));
        }
        assertTrue(sink.dtls(from, 77, new byte[] {22}), "over the budget: handled (dropped and counted), not unknown");
        assertTrue(sink.control(from, new ControlMessage.Ping("b", 9, 0)));
        assertFalse(sink.control(from, new ControlMessage.Ping("mallory", 1, 0)), "unknown peers are the caller's to count");
        assertFalse(sink.dtls(from, 78, new byte[] {22}));

        assertEquals(2, counters.drops(DataDrop.CONTROL_OVER_BUDGET));
        assertEquals(3, links.get(PeerId.of("b")).counters().controlIn(), "control_in: what was handed over, not what was over budget");
        for (int i = 0; i < 3; i++) {
            directory.expectMessageClass(PeerDirectory.ControlReceived.class);
        }
        directory.expectNoMessage(Duration.ofMillis(100));
        now.set(SECOND);
        assertTrue(sink.dtls(from, 77, new byte[] {22}));
        directory.expectMessageClass(PeerDirectory.DtlsReceived.class);
    }
}
