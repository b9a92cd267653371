package io.ipop.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status table, from the JSON the management API serves (docs/management.md). */
class StatusTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T01:40:00Z");
    private static final String NODE = """
            { "name": "a", "overlay_ip": "10.77.0.1", "overlay_address": "10.77.0.1/24", "mac": "02:3e:23:e8:16:00",
              "groups": ["blue"], "tap": "ipop0", "mtu": 1400, "underlay": "0.0.0.0:5800", "instance": "9f1c",
              "started": "2026-11-27T01:36:27.1Z", "uptime_seconds": 213, "peers": 3, "links_up": 2,
              "security_mode": "by-group", "certificate": "9c0f", "certificate_expires": "2028-11-26T02:00:00Z" }
            """;

    private static String links(long bBytesIn, long bBytesOut) {
        return """
                [ { "peer": "b", "state": "up", "since": "2026-11-27T01:36:28Z", "reason": "DTLS up, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                    "endpoint": "192.0.2.2:5800", "secure": true, "secure_reason": "groups:blue", "rtt_ms": 0.41,
                    "bytes_in": %d, "bytes_out": %d },
                  { "peer": "c", "state": "up", "since": "2026-11-27T01:39:58Z", "reason": "plaintext link agreed (no-common-group)",
                    "endpoint": "192.0.2.3:5800", "secure": false, "secure_reason": "no-common-group", "rtt_ms": 0.38,
                    "bytes_in": 0, "bytes_out": 0 },
                  { "peer": "d", "state": "connecting", "since": "2026-11-27T01:36:27Z", "reason": "peer certificate refused: not issued by this overlay's CA",
                    "endpoint": "192.0.2.4:5800", "secure": null, "secure_reason": null, "rtt_ms": null,
                    "bytes_in": 0, "bytes_out": 0 } ]
                """.formatted(bBytesIn, bBytesOut);
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void rendersTheNodeLineAndOneAlignedRowPerPeer() throws Exception {
        String out = StatusTable.render(json(NODE), json(links(1_000, 2_000)), json(links(126_000, 2_002_000)), 1.0, NOW);
        List<String> lines = out.lines().toList();
        assertEquals("node a  10.77.0.1/24  mac 02:3e:23:e8:16:00  groups blue  security by-group  underlay 0.0.0.0:5800"
                + "  up 3m33s  links 2/3 up", lines.get(0));
        assertEquals("", lines.get(1));
        assertTrue(lines.get(2).startsWith("PEER  STATE       SINCE      SECURITY"), lines.get(2));
        String b = lines.get(3);
        assertTrue(b.startsWith("b     up          3m32s ago  secure (groups:blue)"), b);
        assertTrue(b.contains("192.0.2.2:5800"), b);
        assertTrue(b.contains("0.41 ms"), b);
        assertTrue(b.contains("1.00 Mbit/s"), b);           // 125 000 bytes in one second
        assertTrue(b.contains("16.00 Mbit/s"), b);          // 2 000 000 bytes out
        assertTrue(b.contains("123.0 KiB"), b);
        assertTrue(b.endsWith("DTLS up, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), b);
        assertTrue(lines.get(4).contains("plaintext (no-common-group)"), lines.get(4));
        assertTrue(lines.get(4).contains("2s ago"), lines.get(4));
        String d = lines.get(5);
        assertTrue(d.startsWith("d     connecting"), d);
        assertTrue(d.contains(" -  "), "undecided security and unmeasured RTT show '-': " + d);
        assertTrue(d.endsWith("not issued by this overlay's CA"), d);
        int column = lines.get(2).indexOf("ENDPOINT");
        for (String row : lines.subList(3, 6)) {
            assertEquals("192.0.2.", row.substring(column, column + 8), "columns line up: " + row);
        }
    }

    @Test
    void withoutAFirstSampleRatesAreDashesAndTotalsStay() throws Exception {
        String out = StatusTable.render(json(NODE), null, json(links(2048, 0)), 0, NOW);
        String b = out.lines().toList().get(3);
        assertTrue(b.contains("2.0 KiB"), b);
        assertTrue(!b.contains("bit/s"), b);
    }

    @Test
    void noPeers() throws Exception {
        assertTrue(StatusTable.render(json(NODE), null, json("[]"), 0, NOW).endsWith("no peers configured\n"));
    }

    @Test
    void unitsAndAges() {
        assertEquals("0 bit/s", StatusTable.bits(0));
        assertEquals("12.3 kbit/s", StatusTable.bits(12_300));
        assertEquals("1.20 Gbit/s", StatusTable.bits(1.2e9));
        assertEquals("999 B", StatusTable.bytes(999));
        assertEquals("1.5 MiB", StatusTable.bytes(1_572_864));
        assertEquals("42s", StatusTable.age(Duration.ofSeconds(42)));
        assertEquals("1h02m", StatusTable.age(Duration.ofMinutes(62)));
        assertEquals("2d03h", StatusTable.age(Duration.ofHours(51)));
    }
}
