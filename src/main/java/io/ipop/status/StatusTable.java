package io.ipop.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@code /overlay/node} and {@code /overlay/links} as a table for a terminal. Pure: the JSON
 * and the clock come in, text goes out. Rates come from two samples of the links taken
 * {@code seconds} apart; without a first sample the rate columns show {@code -}.
 */
public final class StatusTable {
    private static final String[] HEADER = {"PEER", "STATE", "SINCE", "SECURITY", "ENDPOINT", "RTT", "RX/s", "TX/s",
            "RX", "TX", "REASON"};

    private StatusTable() {
    }

    /**
     * @param before the links {@code seconds} before {@code after}, or {@code null} for totals only
     */
    public static String render(JsonNode node, JsonNode before, JsonNode after, double seconds, Instant now) {
        StringBuilder out = new StringBuilder(nodeLine(node, now)).append("\n\n");
        Map<String, JsonNode> earlier = new HashMap<>();
        if (before != null) {
            before.forEach(l -> earlier.put(l.path("peer").asText(), l));
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        after.forEach(l -> rows.add(row(l, earlier.get(l.path("peer").asText()), seconds, now)));
        if (rows.size() == 1) {
            return out.append("no peers configured\n").toString();
        }
        int[] width = new int[HEADER.length];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        });
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : pad(r[i], width[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    static String nodeLine(JsonNode n, Instant now) {
        List<String> groups = new ArrayList<>();
        n.path("groups").forEach(g -> groups.add(g.asText()));
        return String.format(Locale.ROOT, "node %s  %s  mac %s  groups %s  security %s  underlay %s  up %s  links %d/%d up",
                n.path("name").asText(), n.path("overlay_address").asText(), n.path("mac").asText(),
                groups.isEmpty() ? "-" : String.join(",", groups), n.path("security_mode").asText(),
                n.path("underlay").asText(), age(Duration.ofSeconds(n.path("uptime_seconds").asLong())),
                n.path("links_up").asInt(), n.path("peers").asInt());
    }

    private static String[] row(JsonNode l, JsonNode before, double seconds, Instant now) {
        boolean rates = before != null && seconds > 0;
        return new String[] {
            l.path("peer").asText(),
            l.path("state").asText(),
            since(l.path("since").asText(), now),
            security(l),
            l.path("endpoint").asText("-"),
            l.path("rtt_ms").isNumber() ? String.format(Locale.ROOT, "%.2f ms", l.path("rtt_ms").asDouble()) : "-",
            rates ? bitRate(l, before, "bytes_in", seconds) : "-",
            rates ? bitRate(l, before, "bytes_out", seconds) : "-",
            bytes(l.path("bytes_in").asLong()),
            bytes(l.path("bytes_out").asLong()),
            l.path("reason").asText("")
        };
    }

    static String security(JsonNode l) {
        JsonNode secure = l.path("secure");
        if (!secure.isBoolean()) {
            return "-";
        }
        return (secure.asBoolean() ? "secure" : "plaintext") + " (" + l.path("secure_reason").asText() + ")";
    }

    private static String since(String timestamp, Instant now) {
        try {
            return age(Duration.between(Instant.parse(timestamp), now)) + " ago";
        } catch (DateTimeParseException e) {
            return "-";
        }
    }

    /** {@code 42s}, {@code 5m12s}, {@code 3h04m}, {@code 2d03h}. */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
    }

    private static String bitRate(JsonNode now, JsonNode before, String field, double seconds) {
        long delta = Math.max(0, now.path(field).asLong() - before.path(field).asLong());
        return bits(delta * 8 / seconds);
    }

    /** {@code 0 bit/s}, {@code 12.3 kbit/s}, {@code 1.20 Mbit/s} (SI, as network rates are quoted). */
    static String bits(double perSecond) {
        if (perSecond < 1000) {
            return String.format(Locale.ROOT, "%.0f bit/s", perSecond);
        }
        if (perSecond < 1e6) {
            return String.format(Locale.ROOT, "%.1f kbit/s", perSecond / 1e3);
        }
        if (perSecond < 1e9) {
            return String.format(Locale.ROOT, "%.2f Mbit/s", perSecond / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f Gbit/s", perSecond / 1e9);
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 150.7 MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }
}
