package io.ipop.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code ipop.topology} read over reference.conf: the defaults, the values allowed, and each key out of range. */
class TopologySettingsTest {

    private static TopologySettings read(String user) {
        var all = ConfigFactory.parseString(user).withFallback(ConfigFactory.defaultReference()).resolve();
        return TopologySettings.read(new ConfigReader(all, "").at("ipop").at("topology"));
    }

    @Test
    void referenceConfHoldsTheIssuesContract() {
        assertEquals(TopologySettings.DEFAULTS, read(""));
        TopologySettings d = TopologySettings.DEFAULTS;
        assertEquals(TopologySettings.Mode.AUTO, d.mode());
        assertEquals(16, d.fullMeshMax());
        assertEquals(2, d.successors());
        assertEquals(OptionalInt.empty(), d.longDistance());
        assertEquals(new TopologySettings.OnDemand(256 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(120), 16), d.onDemand());
    }

    @Test
    void everyKeyCanBeSet() {
        TopologySettings s = read("""
                ipop.topology { mode = structured, full-mesh-max = 8, successors = 3, long-distance = 5,
                  on-demand { threshold = 1MiB, window = 2s, idle = 30s, max = 0 } }
                """);
        assertEquals(TopologySettings.Mode.STRUCTURED, s.mode());
        assertEquals(8, s.fullMeshMax());
        assertEquals(3, s.successors());
        assertEquals(OptionalInt.of(5), s.longDistance());
        assertEquals(new TopologySettings.OnDemand(1 << 20, Duration.ofSeconds(2), Duration.ofSeconds(30), 0), s.onDemand());
        assertEquals(TopologySettings.Mode.FULL_MESH, read("ipop.topology.mode = full-mesh").mode());
    }

    @Test
    void autoIsAFullMeshUpToFullMeshMaxAndLongDistanceIsCeilLog2() {
        TopologySettings d = TopologySettings.DEFAULTS;
        assertFalse(d.structuredAt(16));
        assertTrue(d.structuredAt(17));
        assertEquals(5, d.longDistanceAt(32));
        assertEquals(6, d.longDistanceAt(33));
        assertEquals(14, d.longDistanceAt(10_000));
        assertEquals(0, d.longDistanceAt(1));
        assertEquals(3, TopologySettings.structured(2, OptionalInt.of(3)).longDistanceAt(10_000));
        assertTrue(TopologySettings.structured(2, OptionalInt.empty()).structuredAt(2));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "mode | sometimes",
            "mode | 3",
            "full-mesh-max | 0",
            "full-mesh-max | 4097",
            "full-mesh-max | 2.5",
            "full-mesh-max | many",
            "successors | 0",
            "successors | 9",
            "long-distance | -1",
            "long-distance | 65",
            "long-distance | lots",
            "long-distance | 2.5",
            "on-demand.threshold | 0",
            "on-demand.threshold | 2TiB",
            "on-demand.threshold | big",
            "on-demand.window | 10ms",
            "on-demand.window | 11m",
            "on-demand.idle | 500ms",
            "on-demand.idle | 8d",
            "on-demand.idle | soon",
            "on-demand.max | -1",
            "on-demand.max | 1025",
    })
    void aKeyOutOfRangeOrOfTheWrongTypeIsNamed(String key, String value) {
        ConfigProblem p = assertThrows(ConfigProblem.class, () -> read("ipop.topology." + key + " = " + value));
        assertEquals("ipop.topology." + key, p.path(), p.getMessage());
    }
}
