package io.ipop;

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

    /** {@code action} runs on the JVM's signal thread: it must only start work, not wait for it. */
    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
