package io.ipop.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.event.KeyValuePair;

/**
 * Adds the fields a log shipper selects on to each event of the JSON appender ({@link LogFormat#JSON}), as
 * SLF4J key-value pairs, which {@code JsonEncoder} writes under {@code kvpList}:
 * <ul>
 *   <li>{@code node}: this node's name, on every event;</li>
 *   <li>{@code peer}: the peer of the link the event is about, where the line says it ({@code peer} key-value)
 *       or it comes from that link's session actor ({@code .../peer-NAME}, the name PeerDirectory spawns it under);</li>
 *   <li>{@code reason}: why a link was refused, lost or closed: the {@code reason} key-value where the line has
 *       one; else, for a warning of a link's session, what follows the first {@code ": "} of its message
 *       ({@code link to b lost: nothing heard ...}, {@code refusing hello from d at 192.0.2.4:5800: ...}): the
 *       session's warnings all end in their reason.</li>
 * </ul>
 * Never filters: always {@link FilterReply#NEUTRAL}. Runs on the logging thread, before the encoder; the
 * appender it belongs to is the only one, so an event is enriched once.
 */
final class LogFields extends Filter<ILoggingEvent> {
    /** The session actor's path in Pekko's MDC ({@code pekkoSource}): {@code pekko://ipop/user/.../peer-NAME}. */
    private static final Pattern SESSION = Pattern.compile("/peer-([A-Za-z0-9][A-Za-z0-9._-]{0,63})(?:/|#|$)");
    private static final String SOURCE = "pekkoSource";

    private final String node;

    LogFields(String node) {
        this.node = node;
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (event instanceof LoggingEvent e) {
            if (!has(e.getKeyValuePairs(), "node")) {
                e.addKeyValuePair(new KeyValuePair("node", node));
            }
            if (!has(e.getKeyValuePairs(), "peer")) {
                Map<String, String> mdc = e.getMDCPropertyMap();
                Matcher m = SESSION.matcher(mdc == null ? "" : mdc.getOrDefault(SOURCE, ""));
                if (m.find()) {
                    e.addKeyValuePair(new KeyValuePair("peer", m.group(1)));
                    String message = e.getFormattedMessage();
                    int colon = message == null ? -1 : message.indexOf(": ");
                    if (e.getLevel() == Level.WARN && colon > 0 && !has(e.getKeyValuePairs(), "reason")) {
                        e.addKeyValuePair(new KeyValuePair("reason", message.substring(colon + 2)));
                    }
                }
            }
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean has(List<KeyValuePair> kv, String key) {
        return kv != null && kv.stream().anyMatch(p -> p.key.equals(key));
    }
}
