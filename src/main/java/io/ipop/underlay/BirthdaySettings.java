package io.ipop.underlay;

import io.ipop.config.ConfigReader;
import java.time.Duration;

/**
 * {@code ipop.nat.birthday}: birthday-paradox probing for a pair with a symmetric NAT on one side only
 * (docs/nat.md, "Birthday probing"). The hard side (behind the symmetric NAT) opens {@code hardSockets} extra
 * sockets toward the easy side's public endpoint; the easy side sends {@code easyGuesses} requests to random ports
 * of the hard side's public address, {@code guessRate} a second at most.
 *
 * @param enabled         this node takes part, in either role
 * @param hardSockets     sockets the hard side opens per attempt (its NAT maps each to a new port)
 * @param easyGuesses     ports of the hard side's address the easy side tries per attempt
 * @param guessRate       the easy side's guesses a second at most
 * @param socketLife      how long the hard side's sockets wait for a guess before they are closed
 * @param attemptInterval one attempt per pair at most this often, on either side
 * @param winnerIdle      a socket that carries a link is closed once nothing has arrived on it for this long
 */
public record BirthdaySettings(boolean enabled, int hardSockets, int easyGuesses, int guessRate, Duration socketLife,
                               Duration attemptInterval, Duration winnerIdle) {

    /** The reference.conf defaults. */
    public static final BirthdaySettings DEFAULTS = new BirthdaySettings(true, 256, 256, 1000, Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60));

    /** Off: no extra sockets, no guesses. */
    public static final BirthdaySettings OFF = new BirthdaySettings(false, 256, 256, 1000, Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60));

    /** Reads {@code c} (at {@code ipop.nat.birthday}); a bad value names its key. */
    public static BirthdaySettings read(ConfigReader c) {
        return new BirthdaySettings(c.bool("enabled"), c.intIn("hard-sockets", 1, 1024), c.intIn("easy-guesses", 1, 4096),
                c.intIn("guess-rate", 10, 100_000),
                c.durationIn("socket-life", Duration.ofSeconds(1), Duration.ofMinutes(1)),
                c.durationIn("attempt-interval", Duration.ofSeconds(1), Duration.ofHours(1)),
                c.durationIn("winner-idle", Duration.ofSeconds(5), Duration.ofHours(1)));
    }
}
