package io.ipop.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.underlay.BirthdaySettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NAT tunables an operator may change: their defaults, and a value out of range names its key. */
class NatSettingsTest {
    private static NatSettings read(String overrides) {
        var config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference().getConfig("ipop.nat"));
        return NatSettings.read(new ConfigReader(config, "ipop.nat"), List.of());
    }

    @Test
    void defaultsAreTheFormerConstants() {
        NatSettings nat = read("");
        assertEquals(Duration.ofSeconds(10), nat.relayRetry());
        assertEquals(Duration.ofMinutes(5), nat.forgetAfter());
        assertEquals(20, nat.inboundRate());
        NatSettings forTests = new NatSettings(List.of(), nat.stunInterval(), nat.stunAnswerRate(), List.of(), false,
                nat.maxInbound(), nat.announceInterval(), nat.directTimeout(), false, nat.relayMax());
        assertEquals(nat, forTests, "the short constructor uses the reference.conf defaults");
    }

    @Test
    void anOperatorSetsThem() {
        NatSettings nat = read("relay-retry = 30s, forget-after = 1h, inbound-rate = 200");
        assertEquals(Duration.ofSeconds(30), nat.relayRetry());
        assertEquals(Duration.ofHours(1), nat.forgetAfter());
        assertEquals(200, nat.inboundRate());
    }

    @Test
    void birthdayProbingDefaultsAndSettings() {
        assertEquals(BirthdaySettings.DEFAULTS, read("").birthday(), "reference.conf matches the record's defaults");
        BirthdaySettings b = read("birthday { enabled = false, hard-sockets = 1024, easy-guesses = 4096, guess-rate = 50,"
                + " socket-life = 3s, attempt-interval = 1m, winner-idle = 10s }").birthday();
        assertEquals(new BirthdaySettings(false, 1024, 4096, 50, Duration.ofSeconds(3), Duration.ofMinutes(1),
                Duration.ofSeconds(10)), b);
    }

    @Test
    void birthdayOutOfRangeNamesTheKey() {
        for (String[] bad : new String[][] {{"hard-sockets", "0"}, {"hard-sockets", "1025"}, {"easy-guesses", "0"},
                {"easy-guesses", "4097"}, {"guess-rate", "9"}, {"guess-rate", "100001"}, {"socket-life", "999ms"},
                {"socket-life", "61s"}, {"attempt-interval", "500ms"}, {"attempt-interval", "2h"}, {"winner-idle", "4s"},
                {"enabled", "maybe"}}) {
            ConfigProblem p = assertThrows(ConfigProblem.class, () -> read("birthday." + bad[0] + " = " + bad[1]),
                    bad[0] + " = " + bad[1]);
            assertEquals("ipop.nat.birthday." + bad[0], p.path());
            assertTrue(p.getMessage().startsWith("ipop.nat.birthday." + bad[0] + ": "), p.getMessage());
        }
    }

    @Test
    void outOfRangeNamesTheKey() {
        for (String[] bad : new String[][] {{"relay-retry", "999ms"}, {"relay-retry", "11m"}, {"forget-after", "9s"},
                {"forget-after", "8d"}, {"inbound-rate", "0"}, {"inbound-rate", "10001"}, {"inbound-rate", "1.5"}}) {
            ConfigProblem p = assertThrows(ConfigProblem.class, () -> read(bad[0] + " = " + bad[1]), bad[0] + " = " + bad[1]);
            assertEquals("ipop.nat." + bad[0], p.path());
            assertTrue(p.getMessage().startsWith("ipop.nat." + bad[0] + ": "), p.getMessage());
        }
    }
}
