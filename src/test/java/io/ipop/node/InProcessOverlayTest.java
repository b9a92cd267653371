package io.ipop.node;

import static io.ipop.node.TestNodes.await;
import static io.ipop.node.TestNodes.awaitState;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.counters.DataDrop;
import io.ipop.frame.MacAddress;
import io.ipop.node.TestNodes.Node;
import io.ipop.peer.LinkState;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two whole plaintext nodes in one JVM over an in-memory TAP and underlay. No root needed. */
class InProcessOverlayTest {
    private static final byte[] PAYLOAD = {1, 2, 3, 4, 5, 6, 7};
    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void stopAll() {
        nodes.close();
    }

    private Node[] pair() {
        Node a = nodes.start("a", 1, "", "b:2");
        Node b = nodes.start("b", 2, "", "a:1");
        awaitState(a, "b", LinkState.UP);
        awaitState(b, "a", LinkState.UP);
        return new Node[] {a, b};
    }

    @Test
    void framesCrossTheOverlayBothWays() throws Exception {
        Node[] ab = pair();
        Node a = ab[0];
        Node b = ab[1];
        byte[] broadcast = TestNodes.frame(MacAddress.BROADCAST, a.mac(), 60, PAYLOAD);
        a.tap().inject(broadcast);
        assertArrayEquals(broadcast, b.tap().takeWritten(3000), "broadcast from a reaches b's TAP unchanged");

        byte[] unicast = TestNodes.frame(a.mac(), b.mac(), 1400, PAYLOAD);
        b.tap().inject(unicast);
        assertArrayEquals(unicast, a.tap().takeWritten(3000), "unicast from b reaches a's TAP unchanged");

        // A frame is counted sent after its send returns; b may have answered before a's thread got there.
        await(() -> a.link("b").counters().packetsOut() > 0, "a counts the broadcast it sent");
        assertEquals(1, a.link("b").counters().packetsOut());
        assertEquals(1, a.link("b").counters().packetsIn());
        assertEquals(1400, a.link("b").counters().bytesIn());
        assertEquals(false, a.snapshot("b").security().secure());
        assertEquals("mode:never", a.snapshot("b").security().reason());
    }

    @Test
    void unicastForAMacNoPeerOwnsIsNeverFloodedButDroppedAndCounted() throws Exception {
        Node[] ab = pair();
        ab[0].tap().inject(TestNodes.frame(MacAddress.parse("02:00:00:00:00:99"), ab[0].mac(), 100, PAYLOAD));
        await(() -> ab[0].counters().drops(DataDrop.UNKNOWN_DESTINATION) == 1, "a counts the frame no peer owns");
        assertNull(ab[1].tap().takeWritten(200));
        assertEquals(0, ab[0].link("b").counters().packetsOut(), "nothing went to b");
    }

    @Test
    void linksComeUpAndCarryTrafficWithTenPercentLoss() throws Exception {
        nodes.network.setLossRate(0.10);
        Node[] ab = pair();
        int sent = 500;
        for (int i = 0; i < sent; i++) {
            ab[0].tap().inject(TestNodes.frame(ab[1].mac(), ab[0].mac(), 200, PAYLOAD));
        }
        // Loss is on the network: a sends all of them. Once it has, what b still has to write is a few
        // frames in its pipeline, so a quiet 2 s means the rest were lost (a loaded machine can stall
        // the graphs for some 100 ms; counting from the first frame instead cut runs short).
        await(() -> ab[0].link("b").counters().packetsOut() >= sent, "a sends all " + sent + " frames");
        int got = 0;
        while (ab[1].tap().takeWritten(2000) != null) {
            got++;
        }
        assertTrue(got > sent * 0.8 && got < sent, "about 90% of frames arrive, got " + got);
    }

    @Test
    void silentPeerIsLostWithinDeadAfterAndRelinkedWhenItComesBack() throws Exception {
        Node[] ab = pair();
        Node a = ab[0];
        String firstInstance = a.snapshot("b").remote().instance();

        ab[1].underlay().close();                       // b vanishes without a word, as on SIGKILL
        long t0 = System.nanoTime();
        awaitState(a, "b", LinkState.LOST);
        long lostAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        long deadAfter = a.settings().link().deadAfter().toMillis();
        // Lost after 0.9-1.0 dead-after of silence (the last keepalive may predate t0 by one interval);
        // the upper slack is for timers a loaded 2-core machine runs late, not for the rule.
        assertTrue(lostAfter >= deadAfter * 7 / 10 && lostAfter <= deadAfter + 1000,
                "lost after " + lostAfter + " ms, dead-after is " + deadAfter + " ms");

        nodes.stop(ab[1]);
        Node b2 = nodes.start("b", 2, "", "a:1");        // restarted: new instance, new index
        awaitState(a, "b", LinkState.UP);
        awaitState(b2, "a", LinkState.UP);
        assertNotEquals(firstInstance, a.snapshot("b").remote().instance(), "a sees the new instance");
        byte[] f = TestNodes.frame(b2.mac(), a.mac(), 300, PAYLOAD);
        a.tap().inject(f);
        assertArrayEquals(f, b2.tap().takeWritten(3000));
    }

    @Test
    void gracefulStopTellsThePeerAtOnce() {
        // dead-after far beyond the wait: only the peer's close can take the link down (with 1 s, a loaded
        // machine's late timers let silence win the race now and then)
        String slowDeath = "link.dead-after = 60s";
        Node a = nodes.start("a", 1, slowDeath, "b:2");
        Node b = nodes.start("b", 2, slowDeath, "a:1");
        awaitState(a, "b", LinkState.UP);
        awaitState(b, "a", LinkState.UP);
        nodes.stop(b);
        awaitState(a, "b", LinkState.LOST);
        assertTrue(a.snapshot("b").reason().contains("closed"), a.snapshot("b").reason());
    }
}
