package io.ipop.node;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.typesafe.config.Config;
import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import java.io.OutputStream;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ipop.log.format}: {@code text} keeps {@code logback.xml}'s lines; {@code json} replaces the root
 * logger's appender by one writing one JSON object per event (Logback's own {@link JsonEncoder}) with the
 * fields {@link LogFields} adds. Read once at start: the format is not reloadable.
 */
public enum LogFormat {
    TEXT,
    JSON;

    /** {@code ipop.log.format} of a resolved config; a bad value names the key (exit 2 at start). */
    public static LogFormat read(Config all) {
        String value = new ConfigReader(all, "").at("ipop").at("log").string("format");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new ConfigProblem("ipop.log.format", "unknown format \"" + value + "\" (expected text or json)");
        };
    }

    /** Switches the process's logging to this format; {@code node} is the {@code node} field of every event. */
    public void apply(String node) {
        if (this == JSON && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.detachAndStopAllAppenders();
            root.addAppender(jsonAppender(context, node, System.out));
        }
    }

    /** A started appender writing JSON lines to {@code out}, each event with {@link LogFields}. */
    static OutputStreamAppender<ILoggingEvent> jsonAppender(LoggerContext context, String node, OutputStream out) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);       // 0 unless a sequence generator is configured
        encoder.setWithContext(false);              // the logger context's name and birth date: the same on every line
        encoder.setWithArguments(false);            // formattedMessage has them, kvpList names them
        encoder.setWithMessage(false);              // the template with {} ...
        encoder.setWithFormattedMessage(true);      // ... filled in: the line a person reads
        encoder.start();
        LogFields fields = new LogFields(node);
        fields.setContext(context);
        fields.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setName("JSON");
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.addFilter(fields);
        appender.setOutputStream(out);
        appender.start();
        return appender;
    }
}
