package io.ipop.route;

import static io.ipop.frame.Frames.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.frame.FrameView;
import io.ipop.frame.Frames;
import org.junit.jupiter.api.Test;

/** The flow table stays within its bound, counts what it could not track, and makes room from expired flows. */
class FlowTableTest {
    private static final long SECOND = 1_000_000_000L;
    private final FrameView out = new FrameView();
    private final FrameView in = new FrameView();

    private void flow(FlowTable t, int port, long now) {
        byte[] f = Frames.ipv4(2, 1, v4("10.77.0.1"), v4("10.77.0.2"), 17, Frames.ports(port, 53));
        assertTrue(out.parse(f, 0, f.length));
        t.track(out, now);
    }

    private boolean reply(FlowTable t, int port, long now) {
        byte[] f = Frames.ipv4(1, 2, v4("10.77.0.2"), v4("10.77.0.1"), 17, Frames.ports(53, port));
        assertTrue(in.parse(f, 0, f.length));
        return t.isReply(in, now);
    }

    @Test
    void aFullTableTracksNoMoreAndCountsIt() {
        FlowTable t = new FlowTable(100, 10 * SECOND);
        for (int p = 1; p <= 1000; p++) {
            flow(t, p, 0);
        }
        assertTrue(t.size() >= 100 && t.size() <= 128, "held " + t.size());
        assertEquals(1000 - t.size(), t.full());
        assertTrue(reply(t, 1, 1));
        assertFalse(reply(t, 1000, 1), "the last flows found no room");
    }

    @Test
    void expiredFlowsMakeRoomAtMostOnceASecond() {
        FlowTable t = new FlowTable(16, SECOND);
        for (int p = 1; p <= 16; p++) {
            flow(t, p, 0);
        }
        int held = t.size();
        flow(t, 5000, 2 * SECOND);                       // all expired: the sweep makes room
        assertTrue(reply(t, 5000, 2 * SECOND));
        assertEquals(1, t.size());
        assertTrue(held >= 16);
    }

    @Test
    void aLiveFlowIsRefreshedByOutboundTraffic() {
        FlowTable t = new FlowTable(16, 2 * SECOND);
        flow(t, 9, 0);
        flow(t, 9, SECOND + 1);
        assertTrue(reply(t, 9, 3 * SECOND), "refreshed at 1 s, so alive at 3 s");
        assertFalse(reply(t, 9, 4 * SECOND));
    }
}
