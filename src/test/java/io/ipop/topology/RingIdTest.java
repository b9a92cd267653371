package io.ipop.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.wire.PeerId;
import org.junit.jupiter.api.Test;

class RingIdTest {

    @Test
    void positionIsTheFirstEightBytesOfTheNamesSha256() {
        // sha256("a") = ca978112ca1bbdca fac231b39a23dc4da786eff8147c4e72b9807785afee48bb
        assertEquals(0xca978112ca1bbdcaL, RingId.of(PeerId.of("a")).bits());
        assertEquals("ca978112ca1bbdca", RingId.of(PeerId.of("a")).toString());
        assertNotEquals(RingId.of(PeerId.of("a")), RingId.of(PeerId.of("b")));
    }

    @Test
    void distancesWrapAroundAndTakeTheShorterWay() {
        RingId zero = new RingId(0);
        RingId top = new RingId(-1L);            // 2^64 - 1: one step before zero
        assertEquals(1, top.clockwiseTo(zero));
        assertEquals(-1L, zero.clockwiseTo(top)); // 2^64 - 1 the long way
        assertEquals(1, zero.distanceTo(top));
        assertEquals(1, top.distanceTo(zero));
        RingId half = new RingId(Long.MIN_VALUE); // 2^63: as far as it gets
        assertEquals(Long.MIN_VALUE, zero.distanceTo(half));
        assertEquals(0, half.distanceTo(half));
    }

    @Test
    void nearerComparesUnsignedDistances() {
        RingId self = new RingId(100);
        assertTrue(self.nearer(new RingId(90), new RingId(Long.MIN_VALUE)));
        assertTrue(self.nearer(new RingId(-5L), new RingId(300)));   // 105 away, across zero, against 200
        assertFalse(self.nearer(new RingId(300), new RingId(-5L)));
        assertFalse(self.nearer(new RingId(110), new RingId(90)));  // a tie is not nearer
    }

    @Test
    void ordersByUnsignedPosition() {
        assertTrue(new RingId(1).compareTo(new RingId(-1L)) < 0);
        assertTrue(new RingId(Long.MIN_VALUE).compareTo(new RingId(Long.MAX_VALUE)) > 0);
    }
}
