package io.ipop.node;

import ch.qos.logback.classic.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code ipop.log.level} to the root logger (at start and on a reload). */
public final class LogLevel {
    private LogLevel() {
    }

    /** {@code level} is one of the names {@link NodeSettings} accepts. */
    public static void apply(String level) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.toLevel(level));
        }
    }
}
