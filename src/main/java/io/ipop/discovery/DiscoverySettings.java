package io.ipop.discovery;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ipop.config.ConfigProblem;
import io.ipop.config.ConfigReader;
import io.ipop.peer.PeerSettings;
import io.ipop.underlay.Endpoint;
import io.ipop.underlay.UnderlaySettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ipop.discovery}: where peers come from. {@code static} reports {@code ipop.peers};
 * {@code cluster} joins the Pekko Cluster given by the standard keys {@code pekko.cluster.seed-nodes} and
 * {@code pekko.remote.artery.canonical.hostname/port} and follows its directory of peer records.
 *
 * @param endpoints  the underlay endpoints this node publishes in its peer record (cluster only; never
 *                   empty when {@code cluster}): {@code ipop.discovery.endpoints}, else the underlay's
 *                   bind address or the cluster's canonical hostname with {@code ipop.underlay.port}
 * @param seedNodes  {@code pekko.cluster.seed-nodes} as given (checked), cluster only
 * @param clusterPort {@code pekko.remote.artery.canonical.port}, the TCP port of the cluster's control traffic
 * @param clusterTls  the cluster port runs mutually authenticated TLS with the node's certificate
 *                    ({@code ipop.discovery.cluster-tls = auto} and a certificate configured); cluster only
 * @param maxClusterPeers {@code ipop.discovery.max-cluster-peers}: most peers followed through the cluster directory
 * @param peerCache  {@code ipop.discovery.peer-cache.file}, where the peers followed are remembered across restarts
 *                   ({@link PeerCache}); empty when off (or without cluster discovery)
 * @param peerCacheMaxAge {@code ipop.discovery.peer-cache.max-age}: an older cache is ignored
 */
public record DiscoverySettings(boolean staticPeers, boolean cluster, List<Endpoint> endpoints, List<String> seedNodes,
                                int clusterPort, boolean clusterTls, int maxClusterPeers, Optional<Path> peerCache,
                                Duration peerCacheMaxAge) {
    /** The ActorSystem's name: seed node addresses must name it. */
    public static final String SYSTEM_NAME = "ipop";
    private static final String SEEDS = "pekko.cluster.seed-nodes";
    /** Upper bound of {@code max-cluster-peers}: far beyond what one node's links and one UDP socket serve. */
    private static final int MAX_CLUSTER_PEERS = 65_536;
    /** {@code ipop.discovery.cluster-tls}. */
    enum ClusterTls { AUTO, OFF }

    private static final String TLS_ENGINE = "io.ipop.discovery.ClusterTlsEngineProvider";
    private static final Pattern SEED = Pattern.compile("pekko://([^@/]+)@(\\[[0-9A-Fa-f:.]+\\]|[^:/@\\[\\]]+):([0-9]{1,5})");

    /** @param certificate this node has a certificate ({@code ipop.security.ca/cert/key}), already checked */
    public static DiscoverySettings read(ConfigReader discovery, Config all, UnderlaySettings underlay, List<PeerSettings> peers,
                                  String peersPath, boolean certificate) {
        boolean statics = discovery.bool("static");
        boolean cluster = discovery.bool("cluster");
        ClusterTls tls = discovery.lowerCaseEnum("cluster-tls", ClusterTls.class);
        if (!statics && !cluster) {
            throw new ConfigProblem(discovery.path("static"), "static and cluster are both off: the node would find no peers");
        }
        if (!statics && !peers.isEmpty()) {
            throw new ConfigProblem(peersPath, "lists " + peers.size() + " peer(s) but " + discovery.path("static")
                    + " = false (turn it on or remove the list)");
        }
        List<Endpoint> advertised = readEndpoints(discovery);
        int maxPeers = discovery.intIn("max-cluster-peers", 1, MAX_CLUSTER_PEERS);
        ConfigReader cache = discovery.at("peer-cache");
        Duration maxAge = cache.durationIn("max-age", Duration.ofSeconds(1), Duration.ofDays(7));
        Optional<Path> cacheFile = readCacheFile(cache);
        if (!cluster) {
            return new DiscoverySettings(statics, false, advertised, List.of(), 0, false, maxPeers, Optional.empty(), maxAge);
        }
        ConfigReader pekko = new ConfigReader(all, "").at("pekko");
        ConfigReader canonical = pekko.at("remote").at("artery").at("canonical");
        int port = canonical.intIn("port", 1, 65535);
        String hostname = canonical.string("hostname");
        if (hostname.isBlank()) {
            throw new ConfigProblem(canonical.path("hostname"), "must not be empty with ipop.discovery.cluster = true");
        }
        List<String> seeds = pekko.at("cluster").stringList("seed-nodes");
        if (seeds.isEmpty()) {
            throw new ConfigProblem(SEEDS, "required with ipop.discovery.cluster = true (e.g. [ \"pekko://ipop@192.0.2.1:17355\" ];"
                    + " the first seed lists itself)");
        }
        for (int i = 0; i < seeds.size(); i++) {
            checkSeed(SEEDS + "[" + i + "]", seeds.get(i));
        }
        if (advertised.isEmpty()) {
            advertised = List.of(derivedEndpoint(discovery, underlay, hostname, canonical.path("hostname")));
        }
        return new DiscoverySettings(statics, true, advertised, List.copyOf(seeds), port,
                tls == ClusterTls.AUTO && certificate, maxPeers, cacheFile, maxAge);
    }

    /** Empty: off. Else an absolute path in a directory that exists (the node writes it, and a temporary beside it). */
    private static Optional<Path> readCacheFile(ConfigReader cache) {
        String raw = cache.string("file");
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        Path file;
        try {
            file = Path.of(raw);
        } catch (InvalidPathException e) {
            throw new ConfigProblem(cache.path("file"), "\"" + raw + "\" is not a path: " + e.getReason());
        }
        if (!file.isAbsolute() || file.getFileName() == null) {
            throw new ConfigProblem(cache.path("file"), "\"" + raw + "\" must be an absolute file path (or \"\" for none)");
        }
        if (!Files.isDirectory(file.getParent())) {
            throw new ConfigProblem(cache.path("file"), "directory " + file.getParent() + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new ConfigProblem(cache.path("file"), raw + " is a directory");
        }
        return Optional.of(file);
    }

    /**
     * Pekko settings of the node's ActorSystem that follow from these: it never opens a port of its own (provider
     * {@code local}); with cluster discovery the {@code /cluster/*} routes come from
     * {@code io.ipop.management.ClusterRoutes}, which serves those of the cluster system running at the time
     * ({@link ClusterMembership}).
     */
    public Config pekkoOverrides() {
        return ConfigFactory.parseMap(Map.of(
                "pekko.actor.provider", "local",
                "pekko.management.http.routes.cluster-management", cluster ? "io.ipop.management.ClusterRoutes" : ""));
    }

    /**
     * The config of the cluster system ({@link ClusterMembership}), over the node's: provider
     * {@code cluster}; with {@code clusterTls} Artery's {@code tls-tcp} transport with
     * {@link ClusterTlsEngineProvider} (mutual authentication against the overlay CA, no host
     * name check). These win over the user's file: a node with a certificate cannot be configured into plain
     * {@code tcp} by a stray Pekko key, only by {@code ipop.discovery.cluster-tls = off}. The node's system, not
     * the JVM's shutdown hook, stops it (after leaving).
     */
    public Config clusterSystemConfig(Config node) {
        Map<String, Object> o = new HashMap<>(Map.of(
                "pekko.actor.provider", "cluster",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off"));
        if (clusterTls) {
            o.put("pekko.remote.artery.transport", "tls-tcp");
            o.put("pekko.remote.artery.ssl.ssl-engine-provider", TLS_ENGINE);
        }
        return ConfigFactory.parseMap(o).withFallback(node);
    }

    private static List<Endpoint> readEndpoints(ConfigReader discovery) {
        List<String> raw = discovery.stringList("endpoints");
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String at = discovery.path("endpoints") + "[" + i + "]";
            Endpoint e;
            try {
                e = Endpoint.parse(raw.get(i));
            } catch (IllegalArgumentException ex) {
                throw new ConfigProblem(at, ex.getMessage());
            }
            if (e.address().getAddress().isAnyLocalAddress()) {
                throw new ConfigProblem(at, e + " is a wildcard address; peers need one they can reach");
            }
            endpoints.add(e);
        }
        return List.copyOf(endpoints);
    }

    private static Endpoint derivedEndpoint(ConfigReader discovery, UnderlaySettings underlay, String hostname,
                                            String hostnamePath) {
        InetSocketAddress bind = underlay.bind();
        if (!bind.getAddress().isAnyLocalAddress()) {
            return Endpoint.of(bind.getAddress(), bind.getPort());
        }
        try {
            return Endpoint.parse((hostname.indexOf(':') >= 0 ? "[" + hostname + "]" : hostname) + ":" + bind.getPort());
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem(discovery.path("endpoints"), "empty, and no endpoint follows from ipop.underlay.bind"
                    + " (a wildcard) or " + hostnamePath + " (\"" + hostname + "\": " + e.getMessage() + "): list the"
                    + " underlay endpoints peers reach this node at");
        }
    }

    /** A seed is {@code pekko://ipop@host:port}: Pekko's own error for a bad one would surface only after start. */
    private static void checkSeed(String at, String seed) {
        Matcher m = SEED.matcher(seed);
        if (!m.matches()) {
            throw new ConfigProblem(at, "\"" + seed + "\" is not a cluster address (expected pekko://"
                    + SYSTEM_NAME + "@host:port)");
        }
        if (!m.group(1).equals(SYSTEM_NAME)) {
            throw new ConfigProblem(at, "\"" + seed + "\" names system \"" + m.group(1) + "\"; ipop-node's is \""
                    + SYSTEM_NAME + "\"");
        }
        int port = Integer.parseInt(m.group(3));
        if (port < 1 || port > 65535) {
            throw new ConfigProblem(at, "port " + port + " out of range 1..65535 in \"" + seed + "\"");
        }
    }
}
