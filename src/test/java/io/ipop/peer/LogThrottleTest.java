package io.ipop.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theFirstEventIsLoggedThenOneLinePerIntervalCarryingTheCountLeftOut() {
        LogThrottle t = new LogThrottle(Duration.ofSeconds(10));
        assertEquals(0, t.admit(5 * SECOND));
        for (int i = 1; i <= 999; i++) {
            assertEquals(LogThrottle.SUPPRESS, t.admit(5 * SECOND + i * 9_000_000L));
        }
        assertEquals(999, t.admit(15 * SECOND));
        assertEquals(LogThrottle.SUPPRESS, t.admit(16 * SECOND));
        assertEquals(1, t.admit(40 * SECOND));
        assertEquals(0, t.admit(51 * SECOND));
    }

    @Test
    void aClockThatStartsNegativeStillLogsTheFirstEvent() {
        LogThrottle t = new LogThrottle(Duration.ofSeconds(1));
        assertEquals(0, t.admit(Long.MIN_VALUE + 5));
        assertEquals(LogThrottle.SUPPRESS, t.admit(Long.MIN_VALUE + 6));
    }
}
