package io.ipop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start the node's coordinated shutdown and let it exit 0, instead of the JVM's
 * default of exiting with 143/130 from a shutdown hook. SIGHUP reloads the config (systemd's
 * {@code ExecReload=kill -HUP $MAINPID}) instead of the JVM's default of shutting down.
 */
final class Signals {
    private Signals() {
    }

    static void onTermination(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }

    /**
     * {@code action} runs on the JVM's signal thread: it must only start work, not wait for it. False when this
     * process was started with SIGHUP ignored (e.g. under {@code nohup}): the JVM then leaves it ignored and a
     * SIGHUP does nothing, which the caller should say.
     */
    static boolean onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
        try {
            return !ignored(Files.readString(Path.of("/proc/self/status")), 1);
        } catch (IOException | RuntimeException e) {
            return true;                                           // cannot tell: assume it works
        }
    }

    /** Whether {@code status} (the text of /proc/PID/status) shows {@code signal} ignored (its SigIgn mask). */
    static boolean ignored(String status, int signal) {
        for (String line : status.split("\n")) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }
}
