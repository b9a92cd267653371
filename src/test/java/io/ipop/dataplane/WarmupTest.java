package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ipop.frame.MacAddress;
import org.junit.jupiter.api.Test;

/** The warm-up's frames really pass the real paths: a wrong key, index or identity would lose them. */
class WarmupTest {
    private static final MacAddress OWN = MacAddress.parse("02:ca:00:00:00:01");

    @Test
    void everySyntheticFrameComesThroughTheSecureAndPlaintextPaths() {
        // 4096 frames in bursts of 32: three of every four bursts secure, so both kinds of link ran.
        assertEquals(4096, Warmup.run(OWN, 1400, 4096, 32));
    }

    @Test
    void aSmallMtuShortensTheFramesAndTheyStillComeThrough() {
        assertEquals(650, Warmup.run(OWN, 576, 650, 16));            // the last burst is short: exactly 650
    }
}
