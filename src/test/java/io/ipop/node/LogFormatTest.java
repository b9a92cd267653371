package io.ipop.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** {@code ipop.log.format}: the key's validation, and what a JSON line holds. */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LogFormat read(String value) {
        return LogFormat.read(ConfigFactory.parseString("ipop.log.format = \"" + value + "\""));
    }

    @Test
    void textAndJsonAreTheFormats() {
        assertEquals(LogFormat.TEXT, read("text"));
        assertEquals(LogFormat.JSON, read("JSON"));
        ConfigProblem bad = assertThrows(ConfigProblem.class, () -> read("xml"));
        assertEquals("ipop.log.format", bad.path());
        assertTrue(bad.getMessage().contains("text or json"), bad.getMessage());
    }

    /** The key-value pairs of one JSON line ({@code kvpList}: [{"node": "a"}, ...]), merged. */
    private static Map<String, String> fields(JsonNode line) {
        Map<String, String> kv = new HashMap<>();
        line.path("kvpList").forEach(o -> o.properties().forEach(f -> kv.put(f.getKey(), f.getValue().asText())));
        return kv;
    }

    @Test
    void eachEventIsOneJsonObjectWithNodePeerAndReason() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(LogFormat.jsonAppender(context, "a", out));
        Logger session = context.getLogger("io.ipop.peer.PeerSession");

        session.atWarn().addKeyValue("peer", "b").addKeyValue("reason", "peer silent for 5s")
                .log("link to {} lost: {}", "b", "peer silent for 5s");
        MDC.put("pekkoSource", "pekko://ipop/user/directory/peer-c.x");
        try {
            session.info("link to {} up", "c.x");       // a session's line without key-value pairs: peer from its actor
            session.warn("refusing hello from {} at {}: {}", "c.x", "192.0.2.3:5800", "peer certificate refused: expired");
        } finally {
            MDC.remove("pekkoSource");
        }
        context.getLogger("io.ipop.Main").info("management API at {}", "http://127.0.0.1:8558/");

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), lines.toString());
        JsonNode lost = JSON.readTree(lines.get(0));
        assertEquals("WARN", lost.path("level").asText());
        assertEquals("link to b lost: peer silent for 5s", lost.path("formattedMessage").asText());
        assertEquals(Map.of("node", "a", "peer", "b", "reason", "peer silent for 5s"), fields(lost));
        assertEquals(Map.of("node", "a", "peer", "c.x"), fields(JSON.readTree(lines.get(1))));
        // a session's warning without key-value pairs: the reason is what follows the line's first ": "
        assertEquals(Map.of("node", "a", "peer", "c.x", "reason", "peer certificate refused: expired"),
                fields(JSON.readTree(lines.get(2))));
        Map<String, String> plain = fields(JSON.readTree(lines.get(3)));
        assertEquals(Map.of("node", "a"), plain);
        assertFalse(JSON.readTree(lines.get(3)).path("formattedMessage").asText().isEmpty());
    }
}
