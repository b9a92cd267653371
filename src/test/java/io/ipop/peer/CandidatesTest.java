package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.underlay.Endpoint;
import io.ipop.wire.PeerId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a session probes its peer, and when a relayed link may move to a direct path. */
class CandidatesTest {
    private static final Endpoint DIRECT = Endpoint.parse("198.51.100.3:62000");
    private static final Endpoint OTHER_DIRECT = Endpoint.parse("203.0.113.10:5800");
    private static final Endpoint RELAYED = Endpoint.parse("198.51.100.10:40001");
    private static final Endpoint OTHER_RELAYED = Endpoint.parse("198.51.100.11:40001");

    private final List<List<Endpoint>> shown = new ArrayList<>();
    private final Candidates candidates = new Candidates(shown::add);

    @Test
    void aRelayedLinkMayLeaveForADirectPathOnly() {
        candidates.learn(List.of(DIRECT), RELAYED, PeerId.of("r"));
        candidates.learn(List.of(), OTHER_RELAYED, PeerId.of("r2"));
        assertTrue(candidates.leavesRelay(RELAYED, DIRECT));
        assertTrue(candidates.leavesRelay(RELAYED, OTHER_DIRECT), "any direct path that answers, learned or not");
        assertFalse(candidates.leavesRelay(RELAYED, OTHER_RELAYED), "not for another relay");
        assertFalse(candidates.leavesRelay(DIRECT, OTHER_DIRECT), "a direct link stays where it is");
        assertFalse(candidates.leavesRelay(RELAYED, RELAYED));
    }

    @Test
    void directCandidatesComeFirstAndEveryChangeIsShown() {
        candidates.learn(List.of(), RELAYED, PeerId.of("r"));
        candidates.learn(List.of(DIRECT), null, null);
        assertEquals(List.of(DIRECT, RELAYED), candidates.all());
        assertEquals(List.of(List.of(RELAYED), List.of(DIRECT, RELAYED)), shown);
        assertEquals(PeerId.of("r"), candidates.via(RELAYED));
        assertNull(candidates.via(DIRECT));
    }
}
