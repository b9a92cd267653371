package io.ipop.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import io.ipop.peer.PeerDirectory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers this node followed through the cluster, on disk ({@code ipop.discovery.peer-cache}), so that a
 * restarted node can link to them at once, while its cluster part is still starting and joining
 * (docs/reliability.md, 7b): the others still hold its previous incarnation as a member, so their
 * {@link io.ipop.peer.MemberGate} admits its {@code con_req}. A remembered peer is only where to knock: the link's
 * hellos are verified exactly as for any other peer, and the cluster view takes it away once this node is a member
 * again and the peer is not ({@link ClusterView#settle}).
 *
 * <p>File: {@code {"version":1,"saved":EPOCH_MS,"peers":[RECORD,...]}}, each record in its gossip form
 * ({@link PeerRecordSerializer}, checked as strictly as one from the network), written to a temporary file and
 * moved over the old one. A file older than {@code maxAge}, unreadable or corrupt is ignored and counted (a record
 * that fails its checks alone is skipped and counted); nothing here ever fails the node. Thread-safe.
 */
public final class PeerCache {
    private static final Logger LOG = LoggerFactory.getLogger(PeerCache.class);
    static final int VERSION = 1;
    /** Larger files are not read: a cache of max-cluster-peers records stays far below. */
    static final long MAX_FILE_BYTES = 16L << 20;

    private final Path file;
    private final String selfName;
    private final int maxPeers;
    private final Duration maxAge;
    private final Clock clock;
    private final RecordCounters counters;
    private final PeerRecordSerializer serializer = new PeerRecordSerializer();
    private final JsonMapper json = JsonMapper.builder().build();
    private final AtomicBoolean taken = new AtomicBoolean();
    private volatile List<PeerRecord> loaded = List.of();

    /**
     * @param selfName this node's name: never a peer of its own
     * @param maxPeers at most this many records are read ({@code ipop.discovery.max-cluster-peers})
     */
    public PeerCache(Path file, String selfName, int maxPeers, Duration maxAge, Clock clock, RecordCounters counters) {
        this.file = file;
        this.selfName = selfName;
        this.maxPeers = maxPeers;
        this.maxAge = maxAge;
        this.clock = clock;
        this.counters = counters;
    }

    /** How often the discovery writes the file though nothing changed: half of max-age, so a fresh restart finds it. */
    Duration refreshEvery() {
        Duration half = maxAge.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : half;
    }

    /**
     * Reads the file (once, at start, before the cluster part starts) and tells the peer directory
     * ({@code directory}) of each peer remembered ({@code PeerFound} by the cluster); {@link #takeRemembered} hands
     * them to the cluster view. Never throws.
     *
     * @return the peers remembered
     */
    public List<PeerRecord> load(Consumer<? super PeerDirectory.PeerFound> directory) {
        loaded = read();
        loaded.forEach(r -> directory.accept(ClusterView.found(r)));
        return loaded;
    }

    /** The records {@link #load} read, the first time only (a discovery restarted by its supervisor gets none). */
    List<PeerRecord> takeRemembered() {
        return taken.compareAndSet(false, true) ? loaded : List.of();
    }

    private List<PeerRecord> read() {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                return ignore(PeerCacheCounter.CORRUPT, "larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | RuntimeException e) {
            return ignore(PeerCacheCounter.UNREADABLE, e.toString());
        }
        JsonNode root;
        try {
            root = json.readTree(bytes);
        } catch (IOException e) {
            return ignore(PeerCacheCounter.CORRUPT, "not JSON");
        }
        if (root == null || !root.path("version").isInt() || root.path("version").asInt() != VERSION
                || !root.path("saved").isIntegralNumber() || !root.path("peers").isArray()) {
            return ignore(PeerCacheCounter.CORRUPT, "not a version " + VERSION + " peer cache");
        }
        Duration age = Duration.between(Instant.ofEpochMilli(root.path("saved").asLong()), clock.instant());
        if (age.isNegative() || age.compareTo(maxAge) > 0) {
            return ignore(PeerCacheCounter.STALE, "saved " + age.toSeconds() + " s ago (max-age " + maxAge.toSeconds() + " s)");
        }
        List<PeerRecord> out = new ArrayList<>();
        for (JsonNode n : root.path("peers")) {
            try {
                PeerRecord r = (PeerRecord) serializer.fromBinary(json.writeValueAsBytes(n), PeerRecordSerializer.MANIFEST);
                if (!r.name().equals(selfName) && out.size() < maxPeers) {
                    out.add(r);
                }
            } catch (IOException | RuntimeException e) {
                counters.countPeerCache(PeerCacheCounter.BAD_RECORD);
            }
        }
        counters.countPeerCache(PeerCacheCounter.REMEMBERED, out.size());
        LOG.info("peer cache {}: {} peer(s) remembered from {} s ago", file, out.size(), age.toSeconds());
        return List.copyOf(out);
    }

    private List<PeerRecord> ignore(PeerCacheCounter why, String detail) {
        counters.countPeerCache(why);
        LOG.warn("peer cache {} ignored ({}): {}", file, why.counter(), detail);
        return List.of();
    }

    /** Replaces the file with {@code records}; a failure is logged and counted, never thrown. */
    void save(Collection<PeerRecord> records) {
        ObjectNode root = json.createObjectNode();
        root.put("version", VERSION);
        root.put("saved", clock.millis());
        ArrayNode peers = root.putArray("peers");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            for (PeerRecord r : records) {
                peers.add(json.readTree(serializer.toBinary(r)));
            }
            Files.write(tmp, json.writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            counters.countPeerCache(PeerCacheCounter.WRITE_FAILED);
            LOG.warn("peer cache {}: cannot write it: {}", file, e.toString());
        }
    }

    /** What the peer cache counts ({@code /overlay/node} {@code cluster_records.peer_cache}). */
    public enum PeerCacheCounter {
        /** Records read from a valid file at start. */
        REMEMBERED,
        /** The file could not be read. */
        UNREADABLE,
        /** The file is not a peer cache (not JSON, wrong version, too large). */
        CORRUPT,
        /** The file is older than max-age. */
        STALE,
        /** A record in a valid file failed the checks of a gossiped record. */
        BAD_RECORD,
        /** Writing the file failed. */
        WRITE_FAILED;

        public String counter() {
            return name().toLowerCase();
        }
    }
}
