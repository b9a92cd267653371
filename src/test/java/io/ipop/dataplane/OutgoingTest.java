package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.route.LinkCounters;
import io.ipop.route.Route;
import io.ipop.route.Routes;
import io.ipop.underlay.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which datagrams of a burst may leave in one segmented send. */
class OutgoingTest {
    private static final Route B = Routes.of("b", 1, 2, Endpoint.parse("192.0.2.2:5800"), new LinkCounters(), null);
    private static final Route C = Routes.of("c", 3, 4, Endpoint.parse("192.0.2.3:5800"), new LinkCounters(), null);

    @Test
    void aRunIsOneEndpointAndOneLengthWithAShorterLastAllowed() {
        List<Outgoing> burst = new ArrayList<>();
        add(burst, B, 1422, 1422, 1422, 700);       // one super-frame's segments: 0..3
        add(burst, B, 1422, 1422);                  // the next super-frame: 4..5
        add(burst, C, 1422);                        // another link: 6
        add(burst, B, 90, 1422, 1422);              // a small frame, then a longer one: 7, 8..9
        assertEquals(4, Outgoing.runEnd(burst, 0));
        assertEquals(6, Outgoing.runEnd(burst, 4));
        assertEquals(7, Outgoing.runEnd(burst, 6));
        assertEquals(8, Outgoing.runEnd(burst, 7), "a longer datagram never joins a shorter run");
        assertEquals(10, Outgoing.runEnd(burst, 8));
        assertEquals(4, Outgoing.runEnd(burst, 3), "a run from a short datagram is that datagram alone when a longer one follows");
    }

    private static void add(List<Outgoing> burst, Route route, int... lengths) {
        for (int n : lengths) {
            burst.add(new Outgoing(route, new byte[n], n - 8));
        }
    }
}
