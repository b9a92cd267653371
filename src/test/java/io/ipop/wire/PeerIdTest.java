package io.ipop.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A node name as a value: the wire's rule for names, shown as the bare name. */
class PeerIdTest {

    @Test
    void everyNameTheWireAcceptsIsAPeerId() {
        for (String name : List.of("a", "node-b", "rv.1", "x_y", "-edge", "a".repeat(64))) {
            assertEquals(name, PeerId.of(name).toString());
        }
    }

    @Test
    void anythingElseIsRefused() {
        for (String name : List.of("", "a b", "a:b", "a,b", "a\nb", "é", "a".repeat(65))) {
            assertThrows(IllegalArgumentException.class, () -> PeerId.of(name), name);
        }
        assertThrows(IllegalArgumentException.class, () -> PeerId.of(null));
    }

    @Test
    void namesCompareAsTheirStrings() {
        assertEquals(-1, Integer.signum(PeerId.of("a").compareTo(PeerId.of("b"))));
        assertEquals(PeerId.of("a"), PeerId.of("a"));
    }
}
