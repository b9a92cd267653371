package io.ipop.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A tcpdump the test started is ready once it says so: it prints {@code listening on IFACE} on stderr after the
 * capture is open and its filter set, so from then on every frame is in the file. Waiting for that line replaces
 * a fixed sleep that cost 1.5 s a capture and guessed.
 */
final class Tcpdump {
    private static final Duration LIMIT = Duration.ofSeconds(15);

    private Tcpdump() {
    }

    /**
     * Returns when {@code log} (tcpdump's stderr, one log per capture) holds the line; fails if tcpdump exits first or
     * has not said it within 15 s.
     */
    static void awaitListening(Process tcpdump, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!(Files.isRegularFile(log) && Files.readString(log).contains("listening on"))) {
            if (!tcpdump.isAlive()) {
                throw new AssertionError("tcpdump exited (" + tcpdump.exitValue() + ") before listening: " + text(log));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("tcpdump not listening after " + LIMIT + ": " + text(log));
            }
            Thread.sleep(20);
        }
    }

    private static String text(Path log) throws IOException {
        return Files.isRegularFile(log) ? Files.readString(log) : "(no log at " + log + ")";
    }
}
