package io.ipop.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ipop.discovery.PeerCache.PeerCacheCounter;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.peer.PeerDirectory;
import io.ipop.underlay.Endpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peers remembered across restarts: what a good file gives back, and that a bad one is counted and ignored. */
class PeerCacheTest {
    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");
    private final RecordCounters counters = new RecordCounters();
    private final List<PeerDirectory.PeerFound> found = new ArrayList<>();
    @TempDir
    Path dir;

    private static PeerRecord record(String name, int host) {
        return new PeerRecord(name, "inst-" + name, OverlayAddress.parse("10.77.0." + host + "/24", true),
                MacAddress.parse("02:00:00:00:00:0" + host), List.of(Endpoint.parse("192.0.2." + host + ":5800")),
                List.of("blue"), null, "pekko://ipop@192.0.2." + host + ":17355#" + host, null);
    }

    private PeerCache cache(Path file, Instant now) {
        return new PeerCache(file, "a", 1024, Duration.ofMinutes(10), Clock.fixed(now, ZoneOffset.UTC), counters);
    }

    private Map<String, Long> counted() {
        return counters.peerCacheCounters();
    }

    @Test
    void whatWasSavedIsReadBackOnceWithinItsAge() {
        Path file = dir.resolve("peers.json");
        List<PeerRecord> peers = List.of(record("b", 2), record("c", 3));
        cache(file, T0).save(peers);
        assertTrue(Files.exists(file));
        assertTrue(Files.notExists(dir.resolve("peers.json.tmp")), "the temporary file was moved over");
        PeerCache later = cache(file, T0.plusSeconds(599));
        assertEquals(peers, later.load(found::add));
        assertEquals(List.of(ClusterView.found(peers.get(0)), ClusterView.found(peers.get(1))), found,
                "the peer directory hears of them at once");
        assertEquals(2L, counted().get("remembered"));
        assertEquals(peers, later.takeRemembered());
        assertEquals(List.of(), later.takeRemembered(), "a discovery restarted by its supervisor gets none");
    }

    @Test
    void noFileIsNoPeersAndNothingCounted() {
        assertEquals(List.of(), cache(dir.resolve("absent.json"), T0).load(found::add));
        assertTrue(counted().values().stream().allMatch(n -> n == 0), counted().toString());
    }

    @Test
    void aFileOlderThanMaxAgeOrFromTheFutureIsIgnoredAndCounted() {
        Path file = dir.resolve("peers.json");
        cache(file, T0).save(List.of(record("b", 2)));
        assertEquals(List.of(), cache(file, T0.plusSeconds(601)).load(found::add));
        assertEquals(List.of(), cache(file, T0.minusSeconds(5)).load(found::add));
        assertEquals(2L, counted().get("stale"));
        assertEquals(0L, counted().get("remembered"));
    }

    @Test
    void aCorruptFileIsIgnoredAndCountedNeverThrown() throws Exception {
        Path file = dir.resolve("peers.json");
        List<String> bad = List.of("", "not json", "{\"version\":1", "[]", "null",
                "{\"version\":2,\"saved\":" + T0.toEpochMilli() + ",\"peers\":[]}",
                "{\"version\":1,\"saved\":\"yesterday\",\"peers\":[]}",
                "{\"version\":1,\"saved\":" + T0.toEpochMilli() + ",\"peers\":{}}");
        for (String text : bad) {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            assertEquals(List.of(), cache(file, T0).load(found::add), text);
        }
        assertEquals((long) bad.size(), counted().get("corrupt"));
        Files.write(file, new byte[(int) PeerCache.MAX_FILE_BYTES + 1]);
        assertEquals(List.of(), cache(file, T0).load(found::add));
        assertEquals(bad.size() + 1L, counted().get("corrupt"));
    }

    @Test
    void aRecordThatFailsItsChecksIsSkippedAndCountedTheOthersKept() throws Exception {
        Path file = dir.resolve("peers.json");
        cache(file, T0).save(List.of(record("b", 2), record("c", 3)));
        String text = Files.readString(file)
                .replace("\"192.0.2.3:5800\"", "\"evil.example:5800\"");   // a name, never resolved
        Files.writeString(file, text.replace("]}", ",{\"name\":\"d\"},17]}"));
        assertEquals(List.of(record("b", 2)), cache(file, T0).load(found::add));
        assertEquals(3L, counted().get(PeerCacheCounter.BAD_RECORD.counter()));
        assertEquals(1L, counted().get("remembered"));
    }

    @Test
    void anUnreadableFileAndAFailedWriteAreCountedNeverThrown() throws Exception {
        Path asDir = dir.resolve("peers.json");
        Files.createDirectory(asDir);
        assertEquals(List.of(), cache(asDir, T0).load(found::add));
        assertEquals(1L, counted().get("unreadable"));
        cache(dir.resolve("gone/peers.json"), T0).save(List.of(record("b", 2)));
        assertEquals(1L, counted().get("write_failed"));
    }

    @Test
    void thisNodeIsNoPeerAndAtMostMaxPeersAreRead() {
        Path file = dir.resolve("peers.json");
        cache(file, T0).save(List.of(record("a", 1), record("b", 2), record("c", 3)));
        PeerCache capped = new PeerCache(file, "a", 1, Duration.ofMinutes(10), Clock.fixed(T0, ZoneOffset.UTC), counters);
        assertEquals(List.of(record("b", 2)), capped.load(found::add));
    }
}
