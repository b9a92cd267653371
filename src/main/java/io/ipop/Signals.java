package io.ipop;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start the node's coordinated shutdown and let it exit 0, instead of the JVM's
 * default of exiting with 143/130 from a shutdown hook.
 */
final class Signals {
    private Signals() {
    }

    static void onTermination(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }
}
