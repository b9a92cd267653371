package io.ipop.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The buffers hold whole bursts, rounded up to a power of two (Pekko's input buffers must be one). */
class DataplaneSettingsTest {
    private static DataplaneSettings settings(int inbound, int outbound, int batch) {
        return new DataplaneSettings(inbound, outbound, batch);
    }

    @Test
    void defaultsHoldEightBurstsOf32() {
        assertEquals(8, settings(256, 256, 32).inboundBatches());
        assertEquals(8, settings(256, 256, 32).outboundBatches());
    }

    @Test
    void framesRoundUpToWholeBurstsThenToAPowerOfTwo() {
        assertEquals(1, settings(1, 1, 32).inboundBatches());
        assertEquals(2, settings(33, 1, 32).inboundBatches());        // 2 bursts
        assertEquals(4, settings(65, 1, 32).inboundBatches());        // 3 bursts -> 4
        assertEquals(16, settings(1, 300, 32).outboundBatches());     // 10 bursts -> 16
        assertEquals(65_536, settings(65_536, 1, 1).inboundBatches());
        assertEquals(65_536, settings(65_535, 1, 1).inboundBatches());
    }
}
