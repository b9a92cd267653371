package io.ipop.topology;

import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * {@code ipop.topology}: which peers a node keeps links to (docs/architecture.md, "Topology").
 *
 * @param mode          {@code auto} (full mesh up to {@code fullMeshMax} members, structured above),
 *                      {@code full-mesh} or {@code structured}
 * @param fullMeshMax   members (this node included) up to which {@code auto} keeps a full mesh
 * @param successors    ring neighbours on each side
 * @param longDistance  empty for {@code auto} (ceil(log2 N)), else at most this many long-distance links
 * @param onDemand      when traffic between two nodes earns them a direct link of their own
 */
public record TopologySettings(Mode mode, int fullMeshMax, int successors, OptionalInt longDistance, OnDemand onDemand) {

    /** {@code ipop.topology.mode}. */
    public enum Mode { AUTO, FULL_MESH, STRUCTURED }

    /**
     * {@code ipop.topology.on-demand}: two nodes whose traffic passes {@code thresholdBytes} within
     * {@code window} get a direct link; it closes after {@code idle} without traffic; at most {@code max} such
     * links per node (0 turns them off).
     */
    public record OnDemand(long thresholdBytes, Duration window, Duration idle, int max) {
        public OnDemand {
            if (thresholdBytes < 1 || window.isNegative() || window.isZero() || idle.isNegative() || idle.isZero() || max < 0) {
                throw new IllegalArgumentException("on-demand: threshold, window and idle must be positive, max >= 0");
            }
        }
    }

    /** Upper bounds of the keys (also what docs/configuration.md states). */
    public static final int MAX_FULL_MESH = 4096;
    public static final int MAX_SUCCESSORS = 8;
    public static final int MAX_LONG_DISTANCE = 64;
    public static final int MAX_ON_DEMAND = 1024;
    public static final long MAX_THRESHOLD = 1L << 40;

    /** reference.conf's values: what a node runs with when its file says nothing. */
    public static final TopologySettings DEFAULTS = new TopologySettings(Mode.AUTO, 16, 2, OptionalInt.empty(),
            new OnDemand(256 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(120), 16));

    public TopologySettings {
        if (fullMeshMax < 1 || fullMeshMax > MAX_FULL_MESH || successors < 1 || successors > MAX_SUCCESSORS
                || longDistance.isPresent() && (longDistance.getAsInt() < 0 || longDistance.getAsInt() > MAX_LONG_DISTANCE)) {
            throw new IllegalArgumentException("topology settings out of range");
        }
    }

    /** Structured with the given ring parameters (tests, the simulation). */
    public static TopologySettings structured(int successors, OptionalInt longDistance) {
        return new TopologySettings(Mode.STRUCTURED, DEFAULTS.fullMeshMax, successors, longDistance, DEFAULTS.onDemand);
    }

    public static TopologySettings read(ConfigReader c) {
        Mode mode = c.lowerCaseEnum("mode", Mode.class);
        int fullMeshMax = c.intIn("full-mesh-max", 1, MAX_FULL_MESH);
        int successors = c.intIn("successors", 1, MAX_SUCCESSORS);
        OptionalInt longDistance = readLongDistance(c);
        ConfigReader od = c.at("on-demand");
        OnDemand onDemand = new OnDemand(
                od.bytesIn("threshold", 1, MAX_THRESHOLD),
                od.durationIn("window", Duration.ofMillis(100), Duration.ofMinutes(10)),
                od.durationIn("idle", Duration.ofSeconds(1), Duration.ofDays(7)),
                od.intIn("max", 0, MAX_ON_DEMAND));
        return new TopologySettings(mode, fullMeshMax, successors, longDistance, onDemand);
    }

    /** {@code auto} or a whole number 0..64. */
    private static OptionalInt readLongDistance(ConfigReader c) {
        String raw = c.string("long-distance");
        if (raw.equals("auto")) {
            return OptionalInt.empty();
        }
        if (!raw.matches("-?[0-9]{1,9}")) {
            throw new ConfigProblem(c.path("long-distance"), "\"" + raw + "\" is neither auto nor a whole number");
        }
        return OptionalInt.of(c.intIn("long-distance", 0, MAX_LONG_DISTANCE));
    }

    /** True if a node in an overlay of {@code members} nodes (itself included) keeps only the ring's links. */
    public boolean structuredAt(int members) {
        return switch (mode) {
            case FULL_MESH -> false;
            case STRUCTURED -> true;
            case AUTO -> members > fullMeshMax;
        };
    }

    /** Most long-distance links at {@code members} nodes: the number given, or ceil(log2 members) for auto. */
    public int longDistanceAt(int members) {
        if (longDistance.isPresent()) {
            return longDistance.getAsInt();
        }
        return members <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(members - 1);
    }
}
