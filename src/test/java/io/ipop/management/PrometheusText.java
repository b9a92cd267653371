package io.ipop.management;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helper: checks a scrape against the Prometheus text format (0.0.4) and reads its samples. */
public final class PrometheusText {
    /** A sample line: name, optional {labels}, value. */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

    private PrometheusText() {
    }

    /**
     * Fails on any line that is not a HELP/TYPE comment or a sample; returns the samples keyed as
     * {@code name{label=value,...}} with labels sorted by name (just {@code name} without labels).
     */
    public static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                assertTrue(COMMENT.matcher(line).matches(), "not a HELP/TYPE line: " + line);
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "not a sample line of the Prometheus text format: " + line);
            StringBuilder key = new StringBuilder(m.group(1));
            if (m.group(3) != null && !m.group(3).isEmpty()) {
                TreeMap<String, String> labels = new TreeMap<>();
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                StringBuilder inner = new StringBuilder();
                labels.forEach((k, v) -> inner.append(inner.length() == 0 ? "" : ",").append(k).append('=').append(v));
                key.append('{').append(inner).append('}');
            }
            samples.put(key.toString(), Double.parseDouble(m.group(4).replace("+Inf", "Infinity").replace("-Inf", "-Infinity")));
        }
        return samples;
    }
}
