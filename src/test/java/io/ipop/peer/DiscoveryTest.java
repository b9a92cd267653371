package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.ipop.wire.PeerId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A peer's source shows as the same {@code discovered_by} words as when it was a string (API, log, status). */
class DiscoveryTest {

    @Test
    void eachSourceKeepsItsLabel() {
        assertEquals(List.of("static", "cluster", "inbound", "rendezvous:rv"),
                List.of(Discovery.STATIC, Discovery.CLUSTER, Discovery.INBOUND, Discovery.rendezvous(PeerId.of("rv"))).stream()
                        .map(Discovery::label).toList());
        assertEquals("rendezvous:rv", String.valueOf(Discovery.rendezvous(PeerId.of("rv"))), "the log says the label");
        assertEquals("static", String.valueOf(Discovery.STATIC));
    }

    @Test
    void rendezvousSourcesAreEqualByTheirNode() {
        assertEquals(Discovery.rendezvous(PeerId.of("rv")), Discovery.rendezvous(PeerId.of("rv")));
        assertNotEquals(Discovery.rendezvous(PeerId.of("rv")), Discovery.rendezvous(PeerId.of("rv2")));
        assertNotEquals(Discovery.INBOUND, Discovery.rendezvous(PeerId.of("inbound")));
    }
}
